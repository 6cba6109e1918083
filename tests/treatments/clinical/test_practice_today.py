"""/practice/: the signed-in practitioner's day."""

import datetime as dt

import pytest
import time_machine

from tests.factories import AppointmentFactory, PatientFactory, PractitionerFactory
from tests.treatments.factories_practice import NOW, screening, series_appointment, series_with_sessions
from treatments.models import Appointment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def me(practitioner_user):
    return PractitionerFactory(user=practitioner_user, display_name="Dr Me")


TODAY = NOW.date()


def at(hour: int, day: dt.date = TODAY) -> dt.datetime:
    """A clinic-time hour (Chicago, UTC-5 in April) as UTC."""
    return dt.datetime.combine(day, dt.time(hour + 5), tzinfo=dt.UTC)


def test_anonymous_visitor_is_sent_to_login(client):
    assert client.get("/practice/")["Location"].startswith("/accounts/login/")


def test_the_desk_may_not_open_the_practitioners_day(desk_client):
    assert desk_client.get("/practice/").status_code == 403


def test_the_day_lists_my_appointments_in_order_with_step_flags_and_check_in(practitioner_client, me):
    series = series_with_sessions(practitioner=me, pains=[7], planned=5, patient=PatientFactory(first_name="Ada"))
    later = series_appointment(series, 2, at(14), status=Appointment.Status.CHECKED_IN, checked_in_at=at(14))
    earlier = AppointmentFactory(practitioner=me, start=at(9), patient=PatientFactory(first_name="Bea"))
    AppointmentFactory(practitioner=me, start=at(11), status="cancelled", cancelled_at=NOW)
    AppointmentFactory(start=at(10), patient=PatientFactory(first_name="Someone-elses"))
    screening(later.patient, "anticoagulants", True, NOW - dt.timedelta(days=10))
    screening(later.patient, "infection", True, NOW - dt.timedelta(days=10))
    screening(later.patient, "infection", False, NOW - dt.timedelta(days=1))

    html = practitioner_client.get("/practice/").content.decode()

    assert html.index(earlier.patient.full_name) < html.index(later.patient.full_name)
    assert ">09:00<" in html and ">14:00<" in html  # clinic time, not UTC
    assert "Someone-elses" not in html
    assert html.count('class="card mb-2"') == 2  # the cancelled one is not listed
    assert "Knee osteoarthritis, right — session 2 of 5" in html
    assert "Takes blood thinners" in html and "Has an infection now" not in html
    assert "Checked in" in html and "Not checked in" in html
    assert f"/practice/appointments/{earlier.pk}/record/" in html


def test_a_third_session_with_no_better_pain_is_marked_for_review(practitioner_client, me):
    no_better = series_with_sessions(practitioner=me, pains=[7, 6], first=at(9) - dt.timedelta(days=56))
    better = series_with_sessions(practitioner=me, pains=[7, 4], first=at(10) - dt.timedelta(days=56))
    series_appointment(no_better, 3, at(9))
    series_appointment(better, 3, at(10))
    html = practitioner_client.get("/practice/").content.decode()
    assert html.count("review before the 3rd") == 1
    assert html.index("review before the 3rd") < html.index(better.patient.full_name)


def test_previous_and_next_day(practitioner_client, me):
    tomorrow = NOW.date() + dt.timedelta(days=1)
    AppointmentFactory(practitioner=me, start=at(9, tomorrow), patient=PatientFactory(first_name="Tomorrow"))
    html = practitioner_client.get("/practice/").content.decode()
    assert f"?day={tomorrow:%Y-%m-%d}" in html and "Tomorrow" not in html
    html = practitioner_client.get(f"/practice/?day={tomorrow:%Y-%m-%d}").content.decode()
    assert "Tomorrow" in html and "Wednesday 15 April 2026" in html
    assert f"?day={NOW.date():%Y-%m-%d}" in html


def test_a_bad_day_falls_back_to_today(practitioner_client, me):
    response = practitioner_client.get("/practice/?day=not-a-date")
    assert response.status_code == 200 and "Today's patients" in response.content.decode()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_first_or_last_date_there_is_falls_back_to_today(practitioner_client, me, day):
    # Found by the form fuzz: the day before 1 January of year 1 was a server error.
    response = practitioner_client.get(f"/practice/?day={day}")
    assert response.status_code == 200
    assert f"?day={NOW.date() + dt.timedelta(days=1):%Y-%m-%d}" in response.content.decode()


def test_the_admin_picks_a_practitioner(admin_client_):
    one = PractitionerFactory(display_name="Dr One")
    two = PractitionerFactory(display_name="Dr Two")
    AppointmentFactory(practitioner=two, start=at(9), patient=PatientFactory(first_name="Twos-patient"))
    assert "Twos-patient" not in admin_client_.get(f"/practice/?practitioner={one.pk}").content.decode()
    assert "Twos-patient" in admin_client_.get(f"/practice/?practitioner={two.pk}").content.decode()


def test_a_practitioner_account_without_a_practitioner_row_is_told(practitioner_client):
    assert "not linked to a practitioner" in practitioner_client.get("/practice/").content.decode()


@pytest.mark.parametrize("count", [2, 12])
def test_the_day_takes_a_fixed_number_of_queries(practitioner_client, me, count, django_assert_max_num_queries):
    for n in range(count):
        start = at(8) + dt.timedelta(minutes=40 * n)
        series = series_with_sessions(practitioner=me, pains=[7, 6], first=start - dt.timedelta(days=56))
        series_appointment(series, 3, start)
        screening(series.patient, "anticoagulants", True, NOW - dt.timedelta(days=1))
    with django_assert_max_num_queries(17):
        response = practitioner_client.get("/practice/")
    html = response.content.decode()
    assert html.count('class="card mb-2"') == count
    assert html.count("review before the 3rd") == count
