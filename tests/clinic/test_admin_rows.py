"""The audit list's dates (clinic/admin_rows.py): each shown exactly as Django's own date format
shows it, in the clinic's zone, across daylight-saving changes, whatever the format."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat, translation

from clinic.admin_rows import datetime_text

CHICAGO = ZoneInfo("America/Chicago")
FORMATS = ["N j, Y, P", "Y-m-d H:i:s", r"D, jS F Y \a\t g:i A", "l j E y, G.i.s.u", "c", "N j, Y, P T"]


def _moments():
    # Every 37 minutes and 11 seconds over the spring and autumn changes of 2024, and some noons
    # and midnights (which P names).
    start = dt.datetime(2024, 3, 9, tzinfo=dt.UTC)
    spring = [start + dt.timedelta(seconds=n * 2231, microseconds=n) for n in range(200)]
    autumn = [dt.datetime(2024, 11, 2, tzinfo=dt.UTC) + dt.timedelta(seconds=n * 2231) for n in range(200)]
    named = [dt.datetime(2024, 6, 1, hour, tzinfo=CHICAGO) for hour in (0, 12)]
    return spring + autumn + named


@pytest.mark.parametrize("format_string", FORMATS)
@pytest.mark.parametrize("zone", [CHICAGO, dt.UTC, ZoneInfo("Australia/Lord_Howe")])
def test_a_date_is_shown_as_djangos_format_shows_it(format_string, zone):
    shown = datetime_text(format_string, zone)
    for moment in _moments():
        assert shown(moment) == dateformat.format(moment.astimezone(zone), format_string), moment


def test_the_names_follow_the_language_active_when_the_page_is_built():
    moment = dt.datetime(2024, 3, 5, 15, 30, tzinfo=dt.UTC)
    with translation.override("de"):
        german = datetime_text("F, P", CHICAGO)(moment)
        assert german == dateformat.format(moment.astimezone(CHICAGO), "F, P")
    assert german.startswith("März")
    assert datetime_text("F, P", CHICAGO)(moment) == "March, 9:30 a.m."
