"""The series tells the truth: a session off its target day says why (proposal and series pages),
and a session spaced other than the protocol says so with the numbers on the move result, the
series page, the patient page and the calendar card (warning inside the window, error outside)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from clinic.models import Closure
from tests.factories import PatientFactory, protocol
from tests.treatments.factories_desk import book_series, clinic_setup, local
from treatments.models import Appointment
from treatments.scheduling.services.booking import appointment_cancel, series_add_session

pytestmark = pytest.mark.django_db
NOW = local(2026, 5, 1, 12)
STARTS = [local(2026, 5, 5), local(2026, 6, 2), local(2026, 6, 30)]
# Request overhead and the series page's own reads (as in test_desk_series_views).
MAX_QUERIES = 15


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def setup():
    return clinic_setup()


def book(setup, starts=STARTS, now=NOW):
    return book_series(setup, starts, now=now)


def row(html: str, step: int) -> str:
    """The series page's row of one session."""
    start = html.index(f'data-step="{step}"')
    return html[start : html.index("</tr>", start)]


def holiday(day: dt.date, reason: str = "Staff training") -> Closure:
    return Closure.objects.create(
        starts_at=local(day.year, day.month, day.day, 0),
        ends_at=local(day.year, day.month, day.day, 0) + dt.timedelta(days=1),
        reason=reason,
    )


def plan(desk_client, setup, **extra):
    practitioner, location, patient = setup
    data = {
        "patient": patient.pk,
        "protocol": protocol().pk,
        "practitioner": practitioner.pk,
        "location": location.pk,
        "side": "left",
        "sessions": "",
        "date": "2026-05-05",
        "time": "09:00",
        "action": "plan",
        **extra,
    }
    return desk_client.post(reverse("desk:series_new"), data).content.decode()


# --- Off the target day: why ------------------------------------------------------------------


def test_a_proposed_session_moved_off_a_clinic_holiday_says_why(desk_client, setup):
    holiday(dt.date(2026, 6, 2))
    html = plan(desk_client, setup)
    assert "Tue 2 Jun: clinic closed — Staff training; moved to Mon 1 Jun" in html
    assert 'name="s2-date" value="2026-06-01"' in html
    # Session 3 is on its own target (28 days after the proposed session 2): no note.
    assert html.count('class="off-target proposal-note"') == 1


def test_a_proposed_session_moved_off_leave_names_the_practitioner(desk_client, setup):
    practitioner, _, _ = setup
    Closure.objects.create(
        practitioner=practitioner, starts_at=local(2026, 6, 1, 0), ends_at=local(2026, 6, 4, 0), reason="Leave"
    )
    html = plan(desk_client, setup)
    assert "Tue 2 Jun: Dr Ada Stone is away; moved to Thu 4 Jun" in html


def test_a_rechecked_plan_keeps_the_note_and_an_edited_date_shows_its_spacing(desk_client, setup):
    holiday(dt.date(2026, 6, 2))
    edited = {
        "action": "check",
        "s1-date": "2026-05-05",
        "s1-time": "09:00",
        "s2-date": "2026-06-01",
        "s2-time": "09:00",
        "s3-date": "2026-07-02",
        "s3-time": "09:00",
    }
    html = plan(desk_client, setup, **edited)
    assert "Tue 2 Jun: clinic closed — Staff training; moved to Mon 1 Jun" in html
    assert "31 days after session 2; protocol: 28" in html


def test_a_booked_session_off_its_target_day_says_why_on_the_series_page(desk_client, setup):
    holiday(dt.date(2026, 6, 2), "Spring holiday")
    series = book(setup, [local(2026, 5, 5), local(2026, 6, 1), local(2026, 6, 29)])
    html = desk_client.get(reverse("desk:series", args=[series.pk])).content.decode()
    assert "Tue 2 Jun: clinic closed — Spring holiday; moved to Mon 1 Jun" in row(html, 2)
    assert "27 days after session 1; protocol: 28" in row(html, 2)
    assert "data-off-target" not in row(html, 3)  # 28 days after session 2: on target
    assert "data-spacing" not in row(html, 3)


def test_series_page_with_sessions_off_target_keeps_a_fixed_number_of_queries(
    desk_client, setup, django_assert_max_num_queries
):
    holiday(dt.date(2026, 6, 2))
    series = book(setup, [local(2026, 5, 5), local(2026, 6, 1), local(2026, 6, 26)])
    desk_client.get("/desk/")
    # Three more than an on-target series: the availability that says why.
    # + 3: the series' and its sessions' money badges beyond the one before (treatments.hooks), fixed
    with django_assert_max_num_queries(MAX_QUERIES + 3 + 3):
        html = desk_client.get(reverse("desk:series", args=[series.pk])).content.decode()
    assert html.count("data-off-target") == 2


# --- Spacing against the protocol -------------------------------------------------------------


def test_moving_session_two_a_week_later_without_shifting_warns_with_the_numbers(desk_client, setup):
    series = book(setup)
    second = series.appointments.get(series_step=2)
    response = desk_client.post(
        reverse("desk:appointment_move", args=[second.pk]), {"date": "2026-06-09", "time": "09:00", "reason": "Away"}
    )
    assert response.status_code == 302
    html = desk_client.get(response["Location"]).content.decode()
    # The move result ...
    assert "Moved 1 appointment." in html
    assert "Session 2: 35 days after session 1; protocol: 28." in html
    assert "Session 3: 21 days after session 2; protocol: 28." in html
    # ... and the series page, row by row, with why each sits off its target day.
    assert 'data-spacing="warning"' in row(html, 3) and "21 days after session 2; protocol: 28" in row(html, 3)
    assert "Tue 2 Jun was free; moved to Tue 9 Jun: “Away”" in row(html, 2)
    assert "Tue 7 Jul is its target since session 2 moved; it kept Tue 30 Jun" in row(html, 3)


def test_a_cancellation_that_stretches_the_gap_past_the_window_is_an_error_everywhere(desk_client, setup):
    series = book(setup)
    second = series.appointments.get(series_step=2)
    response = desk_client.post(
        reverse("desk:appointment_cancel", args=[second.pk]), {"kind": "patient", "reason": "Ill"}
    )
    error = "56 days after session 1; protocol: 28 — outside the allowed 21–42 days"
    html = desk_client.get(response["Location"]).content.decode()
    assert f"Session 3: {error}." in html  # the cancel result
    assert 'data-spacing="error"' in row(html, 3) and error in row(html, 3)
    patient_page = desk_client.get(reverse("desk:patient", args=[series.patient_id])).content.decode()
    assert error in patient_page and 'data-spacing="error"' in patient_page
    card = desk_client.get("/desk/?date=2026-06-30").content.decode()
    assert error in card and 'class="cal-spacing"' in card


def test_a_session_added_too_soon_at_the_desk_shows_on_the_patient_page_and_calendar(desk_client, setup):
    series = book(setup)
    series_add_session(series=series, start=local(2026, 7, 14), by=None, now=NOW)
    patient_page = desk_client.get(reverse("desk:patient", args=[series.patient_id])).content.decode()
    assert "14 days after session 3; protocol: 28 — outside the allowed 21–42 days" in patient_page
    card = desk_client.get("/desk/?date=2026-07-14").content.decode()
    assert 'data-spacing="error"' in card
    assert "Spacing error:" in card  # said in words, not only by colour


def test_sessions_on_target_say_nothing(desk_client, setup):
    series = book(setup)
    for url in (
        reverse("desk:series", args=[series.pk]),
        reverse("desk:patient", args=[series.patient_id]),
        "/desk/?date=2026-06-02",
    ):
        html = desk_client.get(url).content.decode()
        assert "data-spacing" not in html and "data-off-target" not in html, url


@pytest.mark.parametrize("count", [1, 6])
def test_calendar_spacing_costs_one_query_whatever_the_number_of_series(
    desk_client, setup, django_assert_max_num_queries, count
):
    practitioner, location, _ = setup
    for n in range(count):
        # Every series has session 2 three weeks after session 1 (a warning on each card).
        start = local(2026, 6, 2, 8) + dt.timedelta(minutes=40 * n)  # 30 minutes and the buffer
        book_series(
            setup, [start - dt.timedelta(days=21), start], now=NOW - dt.timedelta(days=30), patient=PatientFactory()
        )
    desk_client.get("/desk/")
    with django_assert_max_num_queries(17):  # the day page built afresh (test_calendar_day)
        html = desk_client.get("/desk/?date=2026-06-02").content.decode()
    assert html.count("21 days after session 1; protocol: 28") == count


def test_spacing_is_counted_in_clinic_days_across_daylight_saving(desk_client, setup):
    # 09:00 CST on 17 Feb to 09:00 CDT on 17 Mar: 27 days and 23 hours, 28 clinic days.
    with time_machine.travel(local(2026, 2, 1), tick=False):
        series = book(setup, [local(2026, 2, 17), local(2026, 3, 17), local(2026, 4, 14)], now=local(2026, 2, 1))
        html = desk_client.get(reverse("desk:series", args=[series.pk])).content.decode()
    assert "data-spacing" not in html and "data-off-target" not in html


def test_the_cancel_result_names_the_spacing_the_cancellation_left(setup):
    series = book(setup)
    second = series.appointments.get(series_step=2)
    done = appointment_cancel(appointment=second, kind="clinic", reason="Ill", by=None, now=NOW)
    assert done.appointment.status == Appointment.Status.CANCELLED
    assert (done.replanned, done.not_replanned) == ([], "")
