"""The series rules (treatments/scheduling/rules.py): windows, spacing and what a closed day does
to a target date. Pure values in and out, no database; the clinic zone is America/Chicago."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from clinic.localtime import local_datetime
from treatments.models import Appointment, Protocol
from treatments.scheduling.availability import Availability, Busy, WeeklyBlock, blocked_reason, off_target_note
from treatments.scheduling.rules import (
    Window,
    allowed_window,
    is_optional_step,
    neighbour_window,
    replan_window,
    spacing,
    step_window,
)

CHICAGO = ZoneInfo("America/Chicago")
MIN = dt.timedelta(minutes=1)
# Knee OA (Rabago): 28 days apart, allowed 21-42 days (7 before, 14 after).
RABAGO = Protocol(target_interval_days=28, step_intervals=[], window_before_days=7, window_after_days=14)
# Sit 2020: 4, 4, then 8 weeks.
SIT = Protocol(target_interval_days=28, step_intervals=[28, 28, 56], window_before_days=7, window_after_days=14)


def at(y, m, d, hh=9, mm=0) -> dt.datetime:
    return local_datetime(dt.date(y, m, d), dt.time(hh, mm), CHICAGO)


def session(step: int, start: dt.datetime, status: str = "booked") -> Appointment:
    """An unsaved appointment: the rules only read its step, start and status."""
    return Appointment(series_step=step, start=start, status=status)


def series(*starts, cancelled=()) -> list[Appointment]:
    return [session(n, s, "cancelled" if n in cancelled else "booked") for n, s in enumerate(starts, start=1)]


# --- step_window / neighbour_window (moved from test_planning) -------------------------------


def test_step_window_is_counted_in_local_days():
    w = step_window(at(2026, 3, 3, 23, 30), 28, 7, 14, CHICAGO)
    assert w == Window(dt.date(2026, 3, 31), dt.date(2026, 3, 24), dt.date(2026, 4, 14))


def test_neighbour_window_intersects_both_neighbours():
    w = neighbour_window(
        previous=at(2026, 5, 5),
        next_=at(2026, 6, 30),
        interval_before=28,
        interval_after=28,
        before_days=7,
        after_days=14,
        zone=CHICAGO,
    )
    # From session 1: 26 May-16 Jun. For session 3 (30 Jun) to stay in its window: 2 Jun-9 Jun... 16 May-9 Jun.
    assert w == Window(dt.date(2026, 6, 2), dt.date(2026, 5, 26), dt.date(2026, 6, 9))


def test_neighbour_window_without_a_next_session_is_the_previous_window():
    w = neighbour_window(
        previous=at(2026, 5, 5),
        next_=None,
        interval_before=28,
        interval_after=28,
        before_days=7,
        after_days=14,
        zone=CHICAGO,
    )
    assert w == Window(dt.date(2026, 6, 2), dt.date(2026, 5, 26), dt.date(2026, 6, 16))


def test_neighbour_window_is_none_when_the_neighbours_are_too_close():
    w = neighbour_window(
        previous=at(2026, 5, 5),
        next_=at(2026, 5, 19),
        interval_before=28,
        interval_after=28,
        before_days=7,
        after_days=14,
        zone=CHICAGO,
    )
    assert w is None


# --- allowed_window: where a session may move ------------------------------------------------

TODAY = dt.date(2026, 5, 1)


def test_session_two_may_move_inside_both_neighbours_windows():
    s1, s2, s3 = series(at(2026, 5, 5), at(2026, 6, 2), at(2026, 6, 30))
    w = allowed_window(session=s2, siblings=[s1, s3], rhythm=RABAGO, zone=CHICAGO, today=TODAY)
    assert w == Window(dt.date(2026, 6, 2), dt.date(2026, 5, 26), dt.date(2026, 6, 9))


def test_shifting_the_rest_only_the_previous_session_constrains_the_move():
    s1, s2, s3 = series(at(2026, 5, 5), at(2026, 6, 2), at(2026, 6, 30))
    w = allowed_window(session=s2, siblings=[s1, s3], rhythm=RABAGO, zone=CHICAGO, today=TODAY, shift_later=True)
    assert w == Window(dt.date(2026, 6, 2), dt.date(2026, 5, 26), dt.date(2026, 6, 16))


def test_a_cancelled_neighbour_is_skipped_for_the_nearest_live_one():
    # Session 3 is cancelled: session 4 (28 Jul) is the next live one, and it must stay 21-42 days
    # after session 2, so session 2 may go no earlier than 16 Jun and no later than 7 Jul... but
    # the window session 1 sets closes on 16 Jun.
    s1, s2, s3, s4 = series(at(2026, 5, 5), at(2026, 6, 2), at(2026, 6, 30), at(2026, 7, 28), cancelled=(3,))
    w = allowed_window(session=s2, siblings=[s1, s3, s4], rhythm=RABAGO, zone=CHICAGO, today=TODAY)
    assert w == Window(None, dt.date(2026, 6, 16), dt.date(2026, 6, 16))


def test_after_a_cancelled_session_the_previous_live_one_sets_the_window_with_its_own_interval():
    # Sit: 28 days after session 1, 28 after 2, 56 after 3. Session 3 is cancelled, so session 4
    # is placed against session 2 with session 2's interval (28), not step 3's (56).
    s1, s2, s3, s4 = series(at(2026, 1, 6), at(2026, 2, 3), at(2026, 3, 3), at(2026, 4, 28), cancelled=(3,))
    w = allowed_window(session=s4, siblings=[s1, s2, s3], rhythm=SIT, zone=CHICAGO, today=dt.date(2026, 1, 2))
    assert w == Window(dt.date(2026, 3, 3), dt.date(2026, 2, 24), dt.date(2026, 3, 17))


def test_the_window_never_starts_before_today_and_is_none_once_passed():
    s1, s2, s3 = series(at(2026, 5, 5), at(2026, 6, 2), at(2026, 6, 30))
    w = allowed_window(session=s2, siblings=[s1, s3], rhythm=RABAGO, zone=CHICAGO, today=dt.date(2026, 6, 3))
    assert w == Window(None, dt.date(2026, 6, 3), dt.date(2026, 6, 9))
    assert (
        allowed_window(session=s2, siblings=[s1, s3], rhythm=RABAGO, zone=CHICAGO, today=dt.date(2026, 6, 10)) is None
    )


def test_a_first_session_is_bounded_only_by_the_next_one_and_alone_by_nothing():
    s1, s2 = series(at(2026, 5, 5), at(2026, 6, 2))
    w = allowed_window(session=s1, siblings=[s2], rhythm=RABAGO, zone=CHICAGO, today=TODAY)
    assert (w.earliest, w.latest, w.has_latest) == (TODAY, dt.date(2026, 5, 12), True)
    alone = allowed_window(session=s1, siblings=[s2], rhythm=RABAGO, zone=CHICAGO, today=TODAY, shift_later=True)
    assert (alone.earliest, alone.has_latest) == (TODAY, False)


def test_replanning_skips_the_cancelled_day_and_starts_tomorrow_at_the_earliest():
    s1 = session(1, at(2026, 5, 5))
    w = replan_window(previous=s1, cancelled_day=dt.date(2026, 6, 2), today=TODAY, rhythm=RABAGO, zone=CHICAGO)
    assert w == Window(None, dt.date(2026, 6, 3), dt.date(2026, 6, 16))
    late = replan_window(
        previous=s1, cancelled_day=dt.date(2026, 6, 2), today=dt.date(2026, 6, 16), rhythm=RABAGO, zone=CHICAGO
    )
    assert late is None


# --- spacing: each live session against the live one before it -------------------------------


def test_sessions_on_their_targets_are_ok():
    notes = spacing(sessions=series(at(2026, 5, 5), at(2026, 6, 2), at(2026, 6, 30)), rhythm=RABAGO, zone=CHICAGO)
    assert [(n.step, n.level) for n in notes.values()] == [(2, "ok"), (3, "ok")]


def test_session_two_moved_a_week_later_leaves_session_three_21_days_after_it():
    notes = spacing(sessions=series(at(2026, 5, 5), at(2026, 6, 9), at(2026, 6, 30)), rhythm=RABAGO, zone=CHICAGO)
    assert (notes[2].level, notes[2].text) == ("warning", "35 days after session 1; protocol: 28")
    assert (notes[3].level, notes[3].text) == ("warning", "21 days after session 2; protocol: 28")


def test_outside_the_allowed_window_is_an_error_with_the_numbers():
    notes = spacing(sessions=series(at(2026, 5, 5), at(2026, 6, 16), at(2026, 6, 30)), rhythm=RABAGO, zone=CHICAGO)
    assert notes[3].level == "error"
    assert notes[3].text == "14 days after session 2; protocol: 28 — outside the allowed 21–42 days"


def test_a_cancelled_session_is_skipped_and_the_gap_counts_from_the_live_one_before():
    sessions = series(at(2026, 5, 5), at(2026, 6, 2), at(2026, 6, 30), cancelled=(2,))
    notes = spacing(sessions=sessions, rhythm=RABAGO, zone=CHICAGO)
    assert list(notes) == [3]
    assert notes[3].text == "56 days after session 1; protocol: 28 — outside the allowed 21–42 days"


def test_one_day_is_singular():
    sessions = series(at(2026, 5, 5), at(2026, 5, 6))
    one_day = Protocol(target_interval_days=7, window_before_days=7, window_after_days=0)
    assert spacing(sessions=sessions, rhythm=one_day, zone=CHICAGO)[2].text == "1 day after session 1; protocol: 7"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # 09:00 CST to 09:00 CDT (Chicago springs forward on 8 March 2026): 27 days 23 hours.
        (at(2026, 2, 17), at(2026, 3, 17)),
        # 09:00 CDT to 09:00 CST (falls back on 1 November 2026): 28 days 1 hour.
        (at(2026, 10, 13), at(2026, 11, 10)),
        # Late evening local is the next day in UTC: still counted in local dates.
        (at(2026, 5, 5, 22, 30), at(2026, 6, 2, 8)),
    ],
)
def test_spacing_is_counted_in_local_days_across_daylight_saving(first, second):
    note = spacing(sessions=series(first, second), rhythm=RABAGO, zone=CHICAGO)[2]
    assert (note.days, note.level) == (28, "ok")


# --- What a closure, leave or full day does to a target date ---------------------------------


def blocks(*days) -> list[WeeklyBlock]:
    return [WeeklyBlock(d, dt.time(a), dt.time(b)) for d in days for a, b in ((8, 12), (13, 17))]


def reason(day: dt.date, **availability) -> str:
    avail = Availability(zone=CHICAGO, blocks=availability.pop("blocks", blocks(0, 1, 2, 3, 4)), **availability)
    return blocked_reason(day=day, preferred=dt.time(9), duration=30 * MIN, buffer=10 * MIN, availability=avail)


def test_a_free_target_day_has_no_reason():
    assert reason(dt.date(2027, 3, 29)) == ""


def test_a_clinic_holiday_names_itself_without_its_dates():
    holiday = Busy(at(2027, 3, 29, 0), at(2027, 3, 30, 0), "the clinic is closed 29 Mar (Spring holiday)")
    assert reason(dt.date(2027, 3, 29), closures=[holiday]) == "the clinic is closed 29 Mar (Spring holiday)"
    short = Busy(holiday.start, holiday.end, holiday.label, "clinic closed — Spring holiday")
    assert reason(dt.date(2027, 3, 29), closures=[short]) == "clinic closed — Spring holiday"


def test_no_working_hours_and_a_full_day_are_named():
    assert reason(dt.date(2027, 3, 27)) == "no working hours that day"  # a Saturday
    full = Busy(at(2027, 3, 29, 0), at(2027, 3, 30, 0), "Dr X already has an appointment then")
    assert reason(dt.date(2027, 3, 29), bookings=[full]) == "fully booked"


def test_the_off_target_note_names_both_days():
    note = off_target_note(dt.date(2027, 3, 29), dt.date(2027, 3, 30), "clinic closed — Spring holiday")
    assert note == "Mon 29 Mar: clinic closed — Spring holiday; moved to Tue 30 Mar"


def test_a_step_past_the_required_sessions_is_optional():
    plan = Protocol(required_sessions=3, optional_sessions=2)
    assert [is_optional_step(plan, step) for step in (1, 3, 4, 5)] == [False, False, True, True]
