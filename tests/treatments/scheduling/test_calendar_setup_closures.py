"""selectors/calendar_setup.py keeps every closure with the setup and finds a calendar's by bisection:
the same closures a query by their dates finds (overlapping start..end, ends and starts excluded)."""

import datetime as dt

import pytest

from clinic.localtime import day_bounds
from clinic.models import Closure
from tests.treatments.factories_calendar import DAY, at
from treatments.scheduling.selectors.calendar_setup import calendar_setup

pytestmark = pytest.mark.django_db


def test_the_kept_closures_of_a_span_are_those_the_database_finds():
    before, after = DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1)
    spans = {
        "long leave": (at(DAY - dt.timedelta(days=40), 9), at(DAY + dt.timedelta(days=40), 9)),
        "ends as the day starts": (at(before, 9), day_bounds(DAY)[0]),
        "starts as the day ends": (day_bounds(DAY)[1], at(after, 12)),
        "morning": (at(DAY, 8), at(DAY, 12)),
        "afternoon": (at(DAY, 13), at(DAY, 17)),
        "yesterday": (at(before, 8), at(before, 12)),
        "tomorrow": (at(after, 8), at(after, 12)),
    }
    for reason, (starts, ends) in spans.items():
        Closure.objects.create(reason=reason, starts_at=starts, ends_at=ends)
    setup = calendar_setup()
    for first, last in [(DAY, DAY), (before, DAY), (DAY, after), (before - dt.timedelta(days=90), before)]:
        start, end = day_bounds(first, last)
        expected = Closure.objects.filter(starts_at__lt=end, ends_at__gt=start).order_by("starts_at", "pk")
        assert [c.reason for c in setup.closures_between(start, end)] == [c.reason for c in expected]
    start, end = day_bounds(DAY)
    assert [c.reason for c in setup.closures_between(start, end)] == ["long leave", "morning", "afternoon"]
