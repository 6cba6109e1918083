"""Bookings a week change leaves outside the hours (issue 19, item 5: "the card of an affected
booking is marked until handled"): their calendar cards say so until each is moved or cancelled,
or the hours change back; the practitioner's setup page lists them with the closure page's move
and cancel actions (the same services, the same proposals)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from clinic.models import WorkingHours
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours
from treatments.models import Appointment

pytestmark = pytest.mark.django_db
NOW = at(DAY - dt.timedelta(days=1), 12, 0)
MARK = "Outside the hours — move or cancel"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def desk(desk_user):
    client = Client()
    client.force_login(desk_user)
    return client


@pytest.fixture
def afternoon(admin_client_):
    """Dr Patel's 14:00 booking, then a week of mornings only saved over it."""
    doctor, location = practitioner_with_hours("Dr Patel")
    appointment = booking(doctor, location, at(DAY, 14))
    _save_week(admin_client_, doctor, location, "08:00-12:00")
    return appointment


def _save_week(client, doctor, location, blocks: str):
    week = {"which": location.pk, f"loc{location.pk}-location": location.pk, "confirm": "yes"}
    week |= {f"loc{location.pk}-day_{d}": blocks for d in range(5)}
    assert client.post(f"/desk/setup/practitioners/{doctor.pk}/", week).status_code == 302


def _card(page: str, appointment: Appointment) -> str:
    start = page.index(f'id="appt-{appointment.pk}"')
    return page[start : page.index("</article>", start)]


def test_the_card_of_a_booking_left_outside_the_new_week_is_marked(desk, afternoon):
    day = desk.get(f"/desk/?date={DAY}").content.decode()
    week = desk.get(f"/desk/week/{afternoon.practitioner_id}/?date={DAY}").content.decode()

    assert MARK in _card(day, afternoon)
    assert MARK in _card(week, afternoon)


def test_a_booking_inside_the_hours_is_not_marked(desk, admin_client_):
    doctor, location = practitioner_with_hours("Dr Patel")
    morning = booking(doctor, location, at(DAY, 9))
    _save_week(admin_client_, doctor, location, "08:00-12:00")

    assert MARK not in desk.get(f"/desk/?date={DAY}").content.decode()
    assert morning.status == Appointment.Status.BOOKED


def test_the_mark_goes_when_the_hours_change_back(desk, admin_client_, afternoon):
    # Seen first: the hours' index kept with the calendar's setup (CalendarSetup.hours_index) is
    # built from the mornings-only week, and must not outlive it.
    assert MARK in _card(desk.get(f"/desk/?date={DAY}").content.decode(), afternoon)
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        _save_week(admin_client_, afternoon.practitioner, afternoon.location, "08:00-12:00, 13:00-17:00")
        day = desk.get(f"/desk/?date={DAY}").content.decode()

    assert MARK not in day


def test_the_setup_page_lists_it_and_moving_it_takes_the_mark_away(desk, admin_client_, afternoon):
    page = admin_client_.get(f"/desk/setup/practitioners/{afternoon.practitioner_id}/").content.decode()
    assert "1 booking outside the hours" in page
    assert f'id="covered-{afternoon.pk}"' in page and "Tue 17 Mar 11:30" in page  # the nearest allowed time

    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        moved = admin_client_.post(
            f"/desk/setup/practitioners/{afternoon.practitioner_id}/bookings/",
            {"appointment": afternoon.pk, "action": "move"},
            follow=True,
        ).content.decode()
        day = desk.get(f"/desk/?date={DAY}").content.decode()

    afternoon.refresh_from_db()
    assert "1 booking moved; the patient is told." in moved
    assert afternoon.start == at(DAY, 11, 30)
    assert MARK not in day
    assert "Bookings outside the hours" not in moved


def test_every_booking_outside_the_hours_can_be_cancelled_with_the_patients_told(admin_client_, afternoon):
    page = admin_client_.post(
        f"/desk/setup/practitioners/{afternoon.practitioner_id}/bookings/",
        {"appointment": "all", "action": "cancel"},
        follow=True,
    ).content.decode()

    afternoon.refresh_from_db()
    assert "1 booking cancelled; the patient is told." in page
    assert afternoon.status == Appointment.Status.CANCELLED
    assert afternoon.cancel_reason == "The practitioner's hours changed"


def test_a_booking_inside_the_hours_is_not_moved_from_this_list(admin_client_, afternoon):
    inside = booking(afternoon.practitioner, afternoon.location, at(DAY, 9))

    page = admin_client_.post(
        f"/desk/setup/practitioners/{afternoon.practitioner_id}/bookings/",
        {"appointment": inside.pk, "action": "move"},
        follow=True,
    ).content.decode()

    inside.refresh_from_db()
    assert "no longer inside a closure or outside the hours: nothing to do." in page
    assert inside.start == at(DAY, 9)


def test_another_practitioners_booking_or_no_action_is_refused(admin_client_, afternoon):
    other, _location = practitioner_with_hours("Dr Okafor", location=afternoon.location)
    theirs = booking(other, afternoon.location, at(DAY, 9))
    url = f"/desk/setup/practitioners/{afternoon.practitioner_id}/bookings/"

    assert admin_client_.post(url, {"appointment": theirs.pk, "action": "move"}).status_code == 404
    no_action = admin_client_.post(url, {"appointment": afternoon.pk}, follow=True).content.decode()

    assert "Choose to move or to cancel." in no_action
    afternoon.refresh_from_db()
    assert afternoon.start == at(DAY, 14)


def test_only_the_clinic_admin_handles_bookings_outside_the_hours(desk, practitioner_user, afternoon):
    url = f"/desk/setup/practitioners/{afternoon.practitioner_id}/bookings/"
    doctor = Client()
    doctor.force_login(practitioner_user)

    assert Client().post(url, {"appointment": "all", "action": "cancel"})["Location"].startswith("/accounts/login/")
    assert desk.post(url, {"appointment": "all", "action": "cancel"}).status_code == 403
    assert doctor.post(url, {"appointment": "all", "action": "cancel"}).status_code == 403
    afternoon.refresh_from_db()
    assert afternoon.status == Appointment.Status.BOOKED


def test_the_calendar_reads_no_more_queries_with_bookings_outside_the_hours(
    desk, afternoon, django_assert_max_num_queries
):
    for hour in (15, 16):
        booking(afternoon.practitioner, afternoon.location, at(DAY, hour))
    assert WorkingHours.objects.filter(practitioner=afternoon.practitioner).count() == 5
    desk.get(f"/desk/?date={DAY}")  # the setup read once by this process

    # The mark is worked out from the hours the calendar's setup holds: no query for it; the day
    # built afresh with the setup kept stays under test_calendar_day's ceiling (14 + 2).
    with django_assert_max_num_queries(14 + 2) as ctx:
        page = desk.get(f"/desk/?date={DAY + dt.timedelta(days=1)}")
    assert page.status_code == 200
    assert not any("workinghours" in q["sql"] or "datedhours" in q["sql"] for q in ctx.captured_queries)


def test_the_week_of_every_practitioner_marks_a_booking_left_outside_the_hours(
    desk, afternoon, django_assert_max_num_queries
):
    inside = booking(afternoon.practitioner, afternoon.location, at(DAY, 9))
    desk.get(f"/desk/week/?date={DAY}")  # the setup read once by this process

    # The mark is worked out from the hours the setup holds: the week's ceiling holds
    # (test_calendar_team_week), and no query reads the hours for it.
    with django_assert_max_num_queries(18) as ctx:
        week = desk.get(f"/desk/week/?date={DAY}").content.decode()
    # The day loaded later (htmx) marks it as well.
    later = desk.get(f"/desk/week/day/?date={DAY}&first=480&last=1080").content.decode()

    assert MARK in _card(week, afternoon)
    assert MARK not in _card(week, inside)
    assert MARK in _card(later, afternoon)
    assert not any("workinghours" in q["sql"] or "datedhours" in q["sql"] for q in ctx.captured_queries)
