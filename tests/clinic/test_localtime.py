"""clinic/localtime.py: a clinic-local date and wall-clock time to UTC and back, on the days the
clocks change as well as on plain ones. No database."""

import datetime as dt
import zoneinfo

from clinic.localtime import clinic_zone, day_bounds, local_date, local_datetime, local_shift

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
LONDON = zoneinfo.ZoneInfo("Europe/London")
SPRING_FORWARD = dt.date(2026, 3, 8)  # Chicago: 02:00 becomes 03:00
FALL_BACK = dt.date(2026, 11, 1)  # Chicago: 02:00 becomes 01:00 again


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_the_clinic_zone_is_djangos_zone_from_the_settings(settings):
    assert clinic_zone() == CHICAGO
    assert settings.TIME_ZONE == settings.CLINIC_TIME_ZONE == "America/Chicago"


def test_a_local_time_is_the_utc_instant_with_the_offset_of_that_day():
    assert local_datetime(dt.date(2026, 12, 24), dt.time(13)) == utc(2026, 12, 24, 19)  # CST, UTC-6
    assert local_datetime(dt.date(2026, 7, 14), dt.time(13)) == utc(2026, 7, 14, 18)  # CDT, UTC-5
    assert local_datetime(dt.date(2026, 7, 14), dt.time(13), LONDON) == utc(2026, 7, 14, 12)


def test_the_hour_skipped_in_spring_and_the_hour_seen_twice_in_autumn_take_the_offset_before_the_change():
    assert local_datetime(SPRING_FORWARD, dt.time(2, 30)) == utc(2026, 3, 8, 8, 30)  # read as CST
    assert local_datetime(FALL_BACK, dt.time(1, 30)) == utc(2026, 11, 1, 6, 30)  # the first 01:30, CDT


def test_the_local_date_of_an_instant_is_the_clinics_not_utcs():
    assert local_date(utc(2026, 12, 25, 3)) == dt.date(2026, 12, 24)  # 21:00 on Christmas Eve
    assert local_date(utc(2026, 12, 25, 3), LONDON) == dt.date(2026, 12, 25)


def test_a_local_day_is_23_or_25_hours_long_when_the_clocks_change():
    for day, hours in [(SPRING_FORWARD, 23), (FALL_BACK, 25), (dt.date(2026, 7, 14), 24)]:
        start, end = day_bounds(day)
        assert start == local_datetime(day, dt.time.min)
        assert end - start == dt.timedelta(hours=hours)
    start, end = day_bounds(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert (start, end) == (utc(2026, 3, 1, 6), utc(2026, 4, 1, 5))


def test_a_shift_counts_on_the_wall_clock_across_a_clock_change():
    sunday_nine = local_datetime(SPRING_FORWARD, dt.time(9))
    assert local_shift(sunday_nine, -dt.timedelta(hours=24)) == local_datetime(dt.date(2026, 3, 7), dt.time(9))
    assert sunday_nine - local_shift(sunday_nine, -dt.timedelta(hours=24)) == dt.timedelta(hours=23)
    autumn_nine = local_datetime(FALL_BACK, dt.time(9))
    assert autumn_nine - local_shift(autumn_nine, -dt.timedelta(hours=24)) == dt.timedelta(hours=25)
    assert local_shift(autumn_nine, dt.timedelta(hours=2)) == local_datetime(FALL_BACK, dt.time(11))
