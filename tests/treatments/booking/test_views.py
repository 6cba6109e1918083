"""/book/ as a patient uses it: free times, details, the code, the answer, and the abuse cases."""

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache

from patients.models import ConsultationRequest
from tests.factories import PatientFactory
from tests.treatments.booking.factories_booking import NOW, SLOT, code_in, consultation, open_online
from treatments.models import Appointment, OnlineBooking

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock_and_cache():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield


def _details_url(location, start=SLOT, practitioner="any", kind=None) -> str:
    query = {
        "appointment_type": (kind or consultation()).pk,
        "location": location.pk,
        "practitioner": practitioner,
        "start": start.isoformat(),
    }
    return "/book/details/?" + urlencode(query)


def _form(**over) -> dict:
    data = {
        "first_name": "Nina",
        "last_name": "Berg",
        "date_of_birth": "1980-03-04",
        "phone": "(312) 555-0188",
        "email": "nina@example.com",
        "code_channel": "email",
        "email_consent": "on",
        "screen_anticoagulants": "on",
    }
    data.update(over)
    return data


def _without_csrf(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_the_start_page_lists_free_times_from_the_desks_availability(client):
    practitioner, location, patient = open_online()
    from treatments.scheduling.services.booking import appointment_book

    appointment_book(
        patient=patient,
        practitioner=practitioner,
        location=location,
        appointment_type=consultation(),
        start=SLOT,
        by=None,
        now=NOW,
    )
    query = {"appointment_type": consultation().pk, "location": location.pk, "practitioner": "any", "day": "2026-05-05"}
    page = client.get("/book/?" + urlencode(query)).content.decode()
    assert "Free times on Tuesday 5 May" in page
    assert ">09:00<" in page and ">11:00<" in page
    # 10:00 is booked and 45 minutes long: 09:15 to 10:30 cannot start; lunch is no time either.
    for taken in (">09:30<", ">10:00<", ">10:15<", ">12:00<"):
        assert taken not in page


def test_the_first_day_offered_is_tomorrow_unless_same_day_is_allowed(client):
    open_online()
    page = client.get("/book/").content.decode()
    assert "Free times on Saturday 2 May" in page  # no hours on Saturday
    assert "No free times that day" in page


def test_no_type_open_online_shows_the_phone_number(client):
    open_online()
    from clinic.models import AppointmentType

    AppointmentType.objects.update(bookable_online=False)
    assert "Online booking is not open" in client.get("/book/").content.decode()


def test_a_patient_books_by_code_and_the_answer_does_not_depend_on_a_known_email(
    client, django_capture_on_commit_callbacks
):
    _practitioner, location, _patient = open_online()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_details_url(location), _form())
    assert response.status_code == 302 and response.url == "/book/verify/"
    fresh_answer = client.get("/book/verify/").content.decode()
    assert "We sent a 6-digit code to the e-mail address you gave." in fresh_answer
    code = code_in(mail.outbox[-1].body)
    assert Appointment.objects.count() == 0
    response = client.post("/book/verify/", {"code": code, "verify": "1"})
    assert response.status_code == 302 and response.url == "/book/done/"
    done = client.get("/book/done/").content.decode()
    assert "You are booked" in done and "Tuesday 5 May, 10:00" in done
    assert Appointment.objects.get().patient.last_name == "Berg"

    # A known e-mail gets exactly the same page.
    PatientFactory(email="known@example.com", date_of_birth=dt.date(1970, 1, 1))
    other = client.__class__()
    other.post(_details_url(location, start=SLOT + dt.timedelta(hours=1)), _form(email="known@example.com"))
    known_answer = other.get("/book/verify/").content.decode()
    assert _without_csrf(known_answer).replace("11:00", "10:00") == _without_csrf(fresh_answer)


def test_a_wrong_code_says_so_and_nothing_is_booked(client):
    _practitioner, location, _patient = open_online()
    client.post(_details_url(location), _form())
    response = client.post("/book/verify/", {"code": "12345x", "verify": "1"})
    assert response.status_code == 400
    response = client.post("/book/verify/", {"code": "999999", "verify": "1"})
    assert "That code is not right" in response.content.decode()
    assert Appointment.objects.count() == 0


def test_verify_without_a_hold_in_this_browser_goes_back_to_the_start(client):
    _practitioner, location, _patient = open_online()
    client.post(_details_url(location), _form())
    stranger = client.__class__()
    response = stranger.post("/book/verify/", {"code": "123456", "verify": "1"})
    assert response.status_code == 302 and response.url == "/book/"
    assert Appointment.objects.count() == 0


def test_a_type_not_open_online_or_junk_in_the_link_goes_back_to_the_start(client):
    _practitioner, location, _patient = open_online()
    from tests.factories import appointment_type

    assert client.get(_details_url(location, kind=appointment_type("injection"))).url == "/book/"
    assert client.get("/book/details/?appointment_type=x&location=1&start=yesterday").url == "/book/"
    response = client.post(_details_url(location, kind=appointment_type("injection")), _form())
    assert response.status_code == 302
    assert OnlineBooking.objects.count() == 0


def test_a_too_near_time_is_refused_with_a_clear_message(client):
    _practitioner, location, _patient = open_online()
    response = client.post(_details_url(location, start=NOW + dt.timedelta(hours=2)), _form())
    assert response.status_code == 400
    assert "too soon to book online" in response.content.decode()
    assert OnlineBooking.objects.count() == 0


def test_a_slot_held_by_someone_else_is_refused(client):
    _practitioner, location, _patient = open_online()
    client.post(_details_url(location), _form())
    other = client.__class__()
    response = other.post(_details_url(location), _form(email="else@example.com"))
    assert response.status_code == 409
    assert "no longer free" in response.content.decode()


def test_holding_is_rate_limited_per_client(client):
    _practitioner, location, _patient = open_online()
    for n in range(10):
        # 08:00 to 11:00 on three weekdays: each a different free time.
        # Each from another visitor's contact details (those have a limit of their own).
        contact = {"email": f"visitor{n}@example.com", "phone": f"(312) 555-01{n:02d}"}
        client.post(_details_url(location, start=SLOT + dt.timedelta(days=n // 4, hours=n % 4 - 2)), _form(**contact))
    response = client.post(_details_url(location, start=SLOT + dt.timedelta(days=7)), _form(email="late@example.com"))
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "Please try again within the hour" in response.content.decode()
    assert OnlineBooking.objects.count() == 10


def test_code_tries_are_rate_limited_per_client(client):
    _practitioner, location, _patient = open_online()
    client.post(_details_url(location), _form())
    from treatments.booking.views import CODES_PER_HOUR

    for _ in range(CODES_PER_HOUR):
        client.post("/book/verify/", {"code": "12", "verify": "1"})
    refused = client.post("/book/verify/", {"code": "123456", "verify": "1"})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"


def test_request_only_clinics_file_a_consultation_request_instead(client):
    open_online(online_new_patients="request")
    assert "Leave your details" in client.get("/book/").content.decode()
    response = client.post("/book/details/", _form())
    assert response.status_code == 302
    request = ConsultationRequest.objects.get()
    assert request.name == "Nina Berg" and "blood thinners" in request.message
    assert OnlineBooking.objects.count() == 0 and Appointment.objects.count() == 0


def test_picking_another_time_gives_the_first_hold_back(client):
    _practitioner, location, _patient = open_online()
    client.post(_details_url(location), _form())
    client.post(_details_url(location, start=SLOT + dt.timedelta(hours=1)), _form())
    held = OnlineBooking.objects.filter(status=OnlineBooking.Status.HELD).values_list("start", flat=True)
    assert list(held) == [SLOT + dt.timedelta(hours=1)]
    response = client.get("/book/verify/")
    assert "no-store" in response["Cache-Control"]


def test_anyone_available_names_the_practitioner_found_on_the_page_and_in_the_confirmation(
    client, django_capture_on_commit_callbacks
):
    from notifications import delivery

    _practitioner, location, _patient = open_online()  # Dr Ada Stone
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_details_url(location, practitioner="any"), _form())
    client.post("/book/verify/", {"code": code_in(mail.outbox[-1].body), "verify": "1"})
    mail.outbox.clear()

    done = client.get("/book/done/").content.decode()
    delivery.messages_sweep(now=NOW)

    assert "You will see Dr Ada Stone." in done
    [confirmation] = mail.outbox
    assert confirmation.subject == "Your appointment at Prolo Clinic is booked"
    assert "is booked for Tuesday 5 May at 10:00 with Dr Ada Stone" in confirmation.body
    assert "sessions" not in confirmation.body


def test_the_health_questions_at_online_booking_are_asked_in_the_patients_words(client):
    _practitioner, location, _patient = open_online()
    page = client.get(_details_url(location)).content.decode()

    assert "Do you take blood thinners (anticoagulants)?" in page
    assert "Are you pregnant, or could you be?" in page
    # Not the staff's labels of the same answers (the card's flags).
    assert "Takes blood thinners" not in page and "Has diabetes" not in page
