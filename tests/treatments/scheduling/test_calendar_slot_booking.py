"""Booking from an empty slot on the desk calendar: the dialog finds the patient, books through
appointment_book, and shows a refusal in the dialog."""

import datetime as dt

import pytest

from tests.factories import PatientFactory, appointment_type
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours
from treatments.models import Appointment

pytestmark = pytest.mark.django_db

NOW = at(DAY, 8)  # Tuesday 17 March 2026, 08:00
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _book(client, ada, main, patient, hh_mm="10:30", slug="consultation", back="", **headers):
    return client.post(
        "/desk/slot/book/",
        {
            "patient": patient.pk,
            "practitioner": ada.pk,
            "location": main.pk,
            "date": DAY.isoformat(),
            "time": hh_mm,
            "appointment_type": appointment_type(slug).pk,
            "back": back,
        },
        **headers,
    )


def test_slot_dialog_names_the_slot_and_finds_the_patient_by_last_name(desk_client):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    jane = PatientFactory(first_name="Jane", last_name="Doe")
    PatientFactory(first_name="John", last_name="Smith")
    response = desk_client.get(f"/desk/slot/?practitioner={ada.pk}&date={DAY}&time=10:30&q=doe", **HX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Book Tuesday 17 March at 10:30 with Dr Ada Stone" in page
    assert "Main Street" in page
    assert "Book Jane Doe" in page
    assert "Smith" not in page
    assert f"/desk/series/new/?patient={jane.pk}&amp;practitioner={ada.pk}&amp;location={main.pk}" in page
    assert "<html" not in page  # a fragment for the dialog


def test_slot_without_htmx_is_a_whole_page(desk_client):
    ada, _ = practitioner_with_hours()
    response = desk_client.get(f"/desk/slot/?practitioner={ada.pk}&date={DAY}&time=10:30")
    assert response.status_code == 200
    assert "<html" in response.content.decode()


def test_slot_search_with_no_match_says_so(desk_client):
    ada, _ = practitioner_with_hours()
    response = desk_client.get(f"/desk/slot/?practitioner={ada.pk}&date={DAY}&time=10:30&q=nobody", **HX)
    assert "No patient matches" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "practitioner=999999&date=2026-03-17&time=10:30",
        "practitioner=1&date=2026-13-01&time=10:30",
        "practitioner=1&date=1900-01-01&time=10:30",
        "practitioner=1&date=2026-03-17&time=25:99",
        "practitioner=x&date=x&time=x",
    ],
)
def test_slot_with_bad_input_is_a_400_that_says_so(desk_client, query):
    practitioner_with_hours()
    response = desk_client.get(f"/desk/slot/?{query}", **HX)
    assert response.status_code == 400
    assert "not one the calendar understands" in response.content.decode()


def test_a_slot_opened_on_the_week_keeps_the_week_and_goes_back_to_it(desk_client):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    jane = PatientFactory(first_name="Jane", last_name="Doe")
    dialog = desk_client.get(f"/desk/slot/?practitioner={ada.pk}&date={DAY}&time=10:30&q=doe&back=week", **HX)
    assert dialog.content.decode().count('<input type="hidden" name="back" value="week">') == 2  # search, book
    response = _book(desk_client, ada, main, jane, back="week", **HX)
    appointment = Appointment.objects.get()
    assert response["HX-Redirect"] == f"/desk/week/?date={DAY}&booked={appointment.pk}#appt-{appointment.pk}"


def test_booking_a_slot_books_through_the_service_and_goes_to_the_card(desk_client):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    jane = PatientFactory(first_name="Jane", last_name="Doe")
    response = _book(desk_client, ada, main, jane, **HX)
    appointment = Appointment.objects.get()
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/desk/?date={DAY}&booked={appointment.pk}#appt-{appointment.pk}"
    assert appointment.start == at(DAY, 10, 30)
    assert appointment.appointment_type.slug == "consultation"
    day = desk_client.get(f"/desk/?date={DAY}").content.decode()
    assert "Jane Doe is booked at 10:30." in day


def test_booking_a_taken_slot_shows_the_refusal_in_the_dialog(desk_client):
    ada, main = practitioner_with_hours()
    booking(ada, main, at(DAY, 10, 30))
    response = _book(desk_client, ada, main, PatientFactory(), **HX)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert Appointment.objects.count() == 1


def test_booking_outside_working_hours_is_refused_in_words(desk_client):
    ada, main = practitioner_with_hours()
    response = _book(desk_client, ada, main, PatientFactory(), hh_mm="12:15", **HX)
    assert response.status_code == 400
    assert Appointment.objects.count() == 0
    assert response.content.decode().strip() != '<div class="alert alert-danger" role="alert"></div>'


def test_booking_an_injection_from_a_slot_is_refused_the_series_page_books_those(desk_client):
    ada, main = practitioner_with_hours()
    response = _book(desk_client, ada, main, PatientFactory(), slug="injection", **HX)
    assert response.status_code == 400
    assert "Choose a type" in response.content.decode()
    assert Appointment.objects.count() == 0


def test_booking_without_htmx_goes_back_to_the_slot_with_the_reason(desk_client):
    ada, main = practitioner_with_hours()
    booking(ada, main, at(DAY, 10, 30))
    response = _book(desk_client, ada, main, PatientFactory())
    assert response.status_code == 302
    assert response["Location"].startswith("/desk/slot/?practitioner=")


def test_booking_for_an_unknown_patient_is_404(desk_client):
    ada, main = practitioner_with_hours()
    response = desk_client.post(
        "/desk/slot/book/",
        {"patient": 999999, "practitioner": ada.pk, "location": main.pk, "date": DAY, "time": "10:30"},
    )
    assert response.status_code == 404


def test_slot_booking_refuses_get(desk_client):
    assert desk_client.get("/desk/slot/book/").status_code == 405


def test_day_grid_carries_what_a_click_needs(desk_client):
    ada, _ = practitioner_with_hours()
    page = desk_client.get(f"/desk/?date={DAY}").content.decode()
    assert 'data-slot-url="/desk/slot/"' in page
    assert f'data-practitioner="{ada.pk}" data-date="{DAY}"' in page
    assert "Keyboard shortcuts" in page
    assert 'id="slot-dialog"' in page


def test_week_grid_carries_the_practitioner_on_every_day(desk_client):
    ada, _ = practitioner_with_hours()
    page = desk_client.get(f"/desk/week/{ada.pk}/?date={DAY}").content.decode()
    assert page.count(f'data-practitioner="{ada.pk}"') == 7
    assert f'data-date="{DAY + dt.timedelta(days=1)}"' in page
