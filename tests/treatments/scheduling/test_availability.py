"""The availability model: pure values, no database."""

import datetime as dt
from zoneinfo import ZoneInfo

from clinic.localtime import local_datetime
from treatments.scheduling.availability import Availability, Busy, WeeklyBlock

CHICAGO = ZoneInfo("America/Chicago")
MIN = dt.timedelta(minutes=1)
TUESDAY = dt.date(2026, 5, 5)


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return local_datetime(day, dt.time(hh, mm), CHICAGO)


def week(*blocks) -> list[WeeklyBlock]:
    return [WeeklyBlock(wd, dt.time(a), dt.time(b)) for wd, a, b in blocks]


def make(bookings=(), closures=(), blocks=None) -> Availability:
    return Availability(
        zone=CHICAGO,
        blocks=blocks if blocks is not None else week((1, 8, 12), (1, 13, 17)),
        closures=list(closures),
        bookings=list(bookings),
        outside_hours_label="outside Dr Stone's hours",
    )


def test_working_hours_expand_to_utc_for_the_local_day():
    assert make().working(TUESDAY) == [(at(TUESDAY, 8), at(TUESDAY, 12)), (at(TUESDAY, 13), at(TUESDAY, 17))]
    assert at(TUESDAY, 8).hour == 13  # CDT is UTC-5


def test_working_hours_keep_wall_clock_across_daylight_saving():
    winter = dt.date(2026, 3, 3)  # CST, UTC-6
    summer = dt.date(2026, 3, 10)  # CDT, UTC-5
    avail = make()
    assert avail.working(winter)[0][0].hour == 14
    assert avail.working(summer)[0][0].hour == 13
    assert avail.working(winter)[0][0].astimezone(CHICAGO).hour == avail.working(summer)[0][0].astimezone(CHICAGO).hour


def test_a_day_without_blocks_has_no_working_time():
    assert make().working(TUESDAY + dt.timedelta(days=1)) == []
    assert make().problem(at(TUESDAY, 9) + dt.timedelta(days=1), at(TUESDAY, 9, 30) + dt.timedelta(days=1)) == (
        "outside Dr Stone's hours"
    )


def test_a_slot_across_the_lunch_break_is_outside_hours():
    assert make().problem(at(TUESDAY, 11, 45), at(TUESDAY, 12, 15)) == "outside Dr Stone's hours"
    assert make().problem(at(TUESDAY, 11, 30), at(TUESDAY, 12)) is None


def test_closure_is_named_as_the_reason():
    leave = Busy(at(TUESDAY, 0), at(TUESDAY + dt.timedelta(days=1), 0), "Dr Stone is away 5 May")
    assert make(closures=[leave]).problem(at(TUESDAY, 9), at(TUESDAY, 9, 30)) == "Dr Stone is away 5 May"


def test_existing_booking_blocks_and_its_buffer_too():
    # The existing booking 09:00-09:30 carries its 10-minute buffer: busy until 09:40.
    booked = Busy(at(TUESDAY, 9), at(TUESDAY, 9, 40), "Dr Stone already has an appointment then")
    avail = make(bookings=[booked])
    assert avail.problem(at(TUESDAY, 9, 30), at(TUESDAY, 10)) == "Dr Stone already has an appointment then"
    assert avail.problem(at(TUESDAY, 9, 40), at(TUESDAY, 10, 10)) is None


def test_new_booking_keeps_its_own_buffer_free_before_the_next():
    booked = Busy(at(TUESDAY, 10), at(TUESDAY, 10, 30), "taken")
    avail = make(bookings=[booked])
    assert avail.problem(at(TUESDAY, 9, 30), at(TUESDAY, 10)) is None  # back-to-back without buffer
    assert avail.problem(at(TUESDAY, 9, 30), at(TUESDAY, 10), buffer=10 * MIN) == "taken"


def test_end_before_start_is_refused():
    assert make().problem(at(TUESDAY, 10), at(TUESDAY, 9)) == "the end must be after the start"


def test_free_starts_skip_bookings_closures_and_breaks():
    booked = Busy(at(TUESDAY, 9), at(TUESDAY, 11), "x")
    ranges = make(bookings=[booked]).free_starts(TUESDAY, 30 * MIN, 10 * MIN)
    assert [(r.first.astimezone(CHICAGO).time(), r.last.astimezone(CHICAGO).time()) for r in ranges] == [
        (dt.time(8, 0), dt.time(8, 20)),
        (dt.time(11, 0), dt.time(11, 30)),
        (dt.time(13, 0), dt.time(16, 30)),
    ]


def test_nearest_start_prefers_the_asked_time_then_the_closest():
    avail = make(bookings=[Busy(at(TUESDAY, 9), at(TUESDAY, 9, 40), "x")])
    assert avail.nearest_start(TUESDAY, dt.time(10), 30 * MIN, 10 * MIN) == at(TUESDAY, 10)
    # 09:00 is taken; 08:20 is 40 minutes early, 09:40 is 40 late: the earlier wins on a tie.
    assert avail.nearest_start(TUESDAY, dt.time(9), 30 * MIN, 10 * MIN) == at(TUESDAY, 8, 20)
    assert avail.nearest_start(TUESDAY, dt.time(9, 10), 30 * MIN, 10 * MIN) == at(TUESDAY, 9, 40)


def test_nearest_start_snaps_to_the_five_minute_grid():
    avail = make(bookings=[Busy(at(TUESDAY, 8), at(TUESDAY, 9, 43), "x")])
    assert avail.nearest_start(TUESDAY, dt.time(9), 30 * MIN, 0 * MIN) == at(TUESDAY, 9, 45)


def test_nearest_start_is_none_when_the_day_is_full():
    full = [Busy(at(TUESDAY, 8), at(TUESDAY, 17), "x")]
    assert make(bookings=full).nearest_start(TUESDAY, dt.time(9), 30 * MIN, 0 * MIN) is None


def test_overlapping_long_busy_interval_is_found_by_the_bisect():
    long_leave = Busy(at(TUESDAY - dt.timedelta(days=20), 0), at(TUESDAY + dt.timedelta(days=3), 0), "leave")
    short = [
        Busy(at(TUESDAY - dt.timedelta(days=d), 9), at(TUESDAY - dt.timedelta(days=d), 10), "b") for d in range(1, 15)
    ]
    avail = make(closures=[long_leave], bookings=short)
    assert avail.problem(at(TUESDAY, 9), at(TUESDAY, 9, 30)) == "leave"


def test_closures_between_lists_those_touching_the_dates():
    leave = Busy(at(dt.date(2026, 5, 10), 0), at(dt.date(2026, 5, 21), 0), "on leave 10-20 May")
    avail = make(closures=[leave])
    assert avail.closures_between(dt.date(2026, 5, 12), dt.date(2026, 5, 26)) == [leave]
    assert avail.closures_between(dt.date(2026, 5, 21), dt.date(2026, 5, 26)) == []
