"""The series planner: pure values in, proposals out, no database."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from clinic.localtime import local_datetime
from treatments.scheduling.availability import Availability, Busy, WeeklyBlock
from treatments.scheduling.planning import check_proposals, plan_series
from treatments.scheduling.rules import Window

CHICAGO = ZoneInfo("America/Chicago")
MIN = dt.timedelta(minutes=1)
INJECTION = {"duration": 30 * MIN, "buffer": 10 * MIN}
RABAGO = {"before_days": 7, "after_days": 14}


def at(y, m, d, hh=9, mm=0) -> dt.datetime:
    return local_datetime(dt.date(y, m, d), dt.time(hh, mm), CHICAGO)


def local(moment: dt.datetime) -> tuple[dt.date, dt.time]:
    x = moment.astimezone(CHICAGO)
    return x.date(), x.time()


def weekdays(*days, hours=((8, 12), (13, 17))) -> list[WeeklyBlock]:
    return [WeeklyBlock(d, dt.time(a), dt.time(b)) for d in days for a, b in hours]


def avail(bookings=(), closures=(), blocks=None) -> Availability:
    return Availability(
        zone=CHICAGO,
        blocks=blocks if blocks is not None else weekdays(0, 1, 2, 3, 4),
        closures=list(closures),
        bookings=list(bookings),
    )


def plan(first, intervals, count, availability=None, **kw):
    return plan_series(
        first=first,
        intervals=intervals,
        count=count,
        availability=availability or avail(),
        **{**RABAGO, **INJECTION, **kw},
    )


def test_knee_oa_rabago_lands_every_four_weeks_same_weekday_and_time():
    proposals = plan(at(2026, 5, 5), [28, 28], 3)
    assert [local(p.start) for p in proposals] == [
        (dt.date(2026, 5, 5), dt.time(9)),
        (dt.date(2026, 6, 2), dt.time(9)),
        (dt.date(2026, 6, 30), dt.time(9)),
    ]
    assert all(p.ok for p in proposals)
    assert proposals[1].window == Window(dt.date(2026, 6, 2), dt.date(2026, 5, 26), dt.date(2026, 6, 16))


def test_sit_2020_spacing_is_four_four_then_eight_weeks():
    proposals = plan(at(2026, 1, 6), [28, 28, 56], 4)
    days = [local(p.start)[0] for p in proposals]
    assert [(b - a).days for a, b in zip(days, days[1:], strict=False)] == [28, 28, 56]
    assert days == [dt.date(2026, 1, 6), dt.date(2026, 2, 3), dt.date(2026, 3, 3), dt.date(2026, 4, 28)]


def test_a_nine_oclock_series_stays_at_nine_local_across_both_dst_changes():
    # Chicago: CDT begins 8 March 2026, ends 1 November 2026.
    proposals = plan(at(2026, 2, 17), [28] * 10, 11, before_days=0, after_days=0)
    local_times = {local(p.start)[1] for p in proposals}
    assert local_times == {dt.time(9)}
    utc_hours = {p.start.hour for p in proposals}
    assert utc_hours == {14, 15}  # 09:00 CST and 09:00 CDT
    assert local(proposals[-1].start)[0] == dt.date(2026, 11, 24)


def test_a_taken_time_moves_to_the_nearest_time_the_same_day():
    taken = Busy(at(2026, 6, 2, 8), at(2026, 6, 2, 9, 40), "booked")
    proposals = plan(at(2026, 5, 5), [28], 2, avail(bookings=[taken]))
    assert local(proposals[1].start) == (dt.date(2026, 6, 2), dt.time(9, 40))


def test_a_day_off_moves_to_the_nearest_day_in_the_window():
    leave = Busy(at(2026, 6, 2, 0), at(2026, 6, 3, 0), "Dr Stone is away 2 Jun")
    proposals = plan(at(2026, 5, 5), [28], 2, avail(closures=[leave]))
    assert local(proposals[1].start) == (dt.date(2026, 6, 1), dt.time(9))


def test_the_same_weekday_is_preferred_when_the_target_day_is_not_worked():
    # Works Tuesdays and Thursdays only; a 60-day interval lands on a Saturday.
    availability = avail(blocks=weekdays(1, 3))
    proposals = plan(at(2026, 5, 5), [60], 2, availability)
    day, time = local(proposals[1].start)
    assert day.weekday() == 1 and time == dt.time(9)
    assert day == dt.date(2026, 7, 7)


def test_when_nothing_fits_it_names_the_session_and_the_leave():
    leave = Busy(at(2026, 5, 18, 0), at(2026, 6, 13, 0), "Dr Stone is away 18 May–12 Jun")
    proposals = plan(at(2026, 4, 28), [28, 28], 3, avail(closures=[leave]))
    assert proposals[1].start is None
    assert proposals[1].problem == (
        "Session 2: no free 30-minute slot between 19 May and 9 Jun — Dr Stone is away 18 May–12 Jun."
    )
    # The rest is still planned from where session 2 should have been.
    assert proposals[2].ok and local(proposals[2].start) == (dt.date(2026, 6, 23), dt.time(9))


def test_when_fully_booked_it_says_so():
    full = [Busy(at(2026, 5, 1, 0), at(2026, 7, 1, 0), "x")]
    availability = avail(bookings=full)
    proposals = plan(at(2026, 4, 28), [28], 2, availability)
    assert proposals[1].problem.endswith("the practitioner's hours are fully booked.")


def test_no_working_hours_in_the_window_is_explained():
    availability = avail(blocks=[])
    proposals = plan(at(2026, 4, 28), [28], 2, availability)
    assert proposals[0].problem == "Session 1: that time is outside the practitioner's working hours"
    assert proposals[1].problem.endswith("the practitioner has no working hours at this location then.")


def test_first_session_outside_hours_is_flagged_not_moved():
    proposals = plan(at(2026, 5, 5, 12, 15), [28], 2)
    assert proposals[0].start == at(2026, 5, 5, 12, 15)
    assert proposals[0].problem.startswith("Session 1: that time is outside")


def test_plan_sessions_do_not_overlap_each_other():
    # A one-day window and an interval of 0 days: session 2 must not sit on session 1.
    proposals = plan(at(2026, 5, 5), [0], 2, before_days=0, after_days=0)
    assert proposals[1].start == at(2026, 5, 5, 9, 40)


def test_check_accepts_a_good_edited_plan():
    checked = check_proposals(
        starts=[at(2026, 5, 5), at(2026, 6, 4, 14), at(2026, 7, 2)],
        intervals=[28, 28],
        availability=avail(),
        now=at(2026, 5, 1),
        **RABAGO,
        **INJECTION,
    )
    assert [p.problem for p in checked] == ["", "", ""]


@pytest.mark.parametrize(
    ("starts", "message"),
    [
        (
            [at(2026, 5, 5), at(2026, 5, 12)],
            "Session 2: it must fall between 26 May and 16 Jun (28 days after session 1)",
        ),
        ([at(2026, 4, 28), at(2026, 5, 26)], "Session 1: that time is in the past"),
        ([at(2026, 5, 5), at(2026, 6, 2, 12, 10)], "Session 2: that time is outside the practitioner's working hours"),
        ([at(2026, 5, 5), at(2026, 6, 6)], "Session 2: that time is outside the practitioner's working hours"),
    ],
)
def test_check_rejects_bad_edits_with_the_session_and_reason(starts, message):
    checked = check_proposals(
        starts=starts, intervals=[28], availability=avail(), now=at(2026, 5, 1), **RABAGO, **INJECTION
    )
    assert message in [p.problem for p in checked]


def test_check_names_a_booking_clash():
    clash = Busy(at(2026, 6, 2, 9), at(2026, 6, 2, 9, 40), "the patient already has an appointment then")
    checked = check_proposals(
        starts=[at(2026, 5, 5), at(2026, 6, 2)],
        intervals=[28],
        availability=avail(bookings=[clash]),
        now=at(2026, 5, 1),
        **RABAGO,
        **INJECTION,
    )
    assert checked[1].problem == "Session 2: the patient already has an appointment then"


# --- A proposal off its target day says why ---------------------------------------------------


def test_a_session_moved_off_a_clinic_holiday_says_why():
    # Mon 1 Mar 2027 + 28 days is Mon 29 Mar (after the spring DST change): the clinic is closed.
    holiday = Busy(
        at(2027, 3, 29, 0), at(2027, 3, 30, 0), "the clinic is closed 29 Mar", "clinic closed — Spring holiday"
    )
    proposals = plan(at(2027, 3, 1), [28], 2, avail(closures=[holiday]))
    assert local(proposals[1].start) == (dt.date(2027, 3, 30), dt.time(9))
    assert proposals[1].note == "Mon 29 Mar: clinic closed — Spring holiday; moved to Tue 30 Mar"
    assert proposals[0].note == ""


def test_sessions_on_their_target_have_no_note():
    assert [p.note for p in plan(at(2026, 5, 5), [28, 28], 3)] == ["", "", ""]


def test_leave_no_hours_and_a_full_day_each_say_why():
    leave = Busy(at(2026, 6, 2, 0), at(2026, 6, 3, 0), "Dr Stone is away 2 Jun", "Dr Stone is away")
    assert plan(at(2026, 5, 5), [28], 2, avail(closures=[leave]))[1].note == (
        "Tue 2 Jun: Dr Stone is away; moved to Mon 1 Jun"
    )
    saturday = plan(at(2026, 5, 5), [60], 2, avail(blocks=weekdays(1, 3)))[1]
    assert saturday.note == "Sat 4 Jul: no working hours that day; moved to Tue 7 Jul"
    full = Busy(at(2026, 6, 2, 8), at(2026, 6, 2, 17), "Dr Stone already has an appointment then")
    assert plan(at(2026, 5, 5), [28], 2, avail(bookings=[full]))[1].note == (
        "Tue 2 Jun: fully booked; moved to Mon 1 Jun"
    )


def test_an_edited_session_off_target_shows_its_spacing_and_a_blocked_target_its_reason():
    leave = Busy(at(2026, 6, 2, 0), at(2026, 6, 3, 0), "Dr Stone is away 2 Jun", "Dr Stone is away")
    checked = check_proposals(
        starts=[at(2026, 5, 5), at(2026, 6, 4), at(2026, 7, 9)],
        intervals=[28, 28],
        availability=avail(closures=[leave]),
        now=at(2026, 5, 1),
        **RABAGO,
        **INJECTION,
    )
    assert [p.problem for p in checked] == ["", "", ""]
    assert checked[1].note == "Tue 2 Jun: Dr Stone is away; moved to Thu 4 Jun"
    assert checked[2].note == "35 days after session 2; protocol: 28"
