"""The setup pages say when a closure is as a person would: whole days as days, part of a day with
its times, in the clinic's time — not "Tue 17 Mar 2026 00:00 – Wed 18 Mar 2026 00:00"."""

import datetime as dt

import pytest
import time_machine

from clinic.models import Closure
from tests.treatments.factories_calendar import DAY, at
from treatments.templatetags.closure_when import when_text

pytestmark = pytest.mark.django_db
NOW = at(DAY - dt.timedelta(days=1), 12, 0)


def test_whole_days_part_of_a_day_and_a_stretch_across_days():
    tomorrow = DAY + dt.timedelta(days=1)
    assert when_text(at(DAY, 0), at(tomorrow, 0)) == "Tue 17 Mar 2026, all day"
    assert when_text(at(DAY, 0), at(DAY + dt.timedelta(days=3), 0)) == "Tue 17 Mar – Thu 19 Mar 2026, all day"
    assert when_text(at(dt.date(2026, 12, 30), 0), at(dt.date(2027, 1, 2), 0)) == (
        "Wed 30 Dec 2026 – Fri 1 Jan 2027, all day"
    )
    assert when_text(at(DAY, 9), at(DAY, 13)) == "Tue 17 Mar 2026 09:00–13:00"
    assert when_text(at(DAY, 14), at(tomorrow, 12)) == "Tue 17 Mar 2026 14:00 – Wed 18 Mar 2026 12:00"


def test_the_setup_page_and_the_closures_page_write_a_holiday_as_a_day(admin_client_):
    with time_machine.travel(NOW, tick=False):
        holiday = Closure.objects.create(
            starts_at=at(DAY, 0), ends_at=at(DAY + dt.timedelta(days=1), 0), reason="Holiday"
        )
        for url in ("/desk/setup/", f"/desk/setup/closures/{holiday.pk}/"):
            page = admin_client_.get(url).content.decode()
            assert "Tue 17 Mar 2026, all day" in page, url
            assert "00:00" not in page, url
