"""A practitioner's month on the desk."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PatientFactory
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours

pytestmark = pytest.mark.django_db

NOW = at(DAY, 8)  # Tuesday 17 March 2026


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_month_shows_the_weeks_of_the_month_with_each_day_s_appointments(desk_client):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    ben, _ = practitioner_with_hours("Dr Ben Hall", location=main)
    booking(ada, main, at(dt.date(2026, 3, 5), 9, 30), patient=PatientFactory(first_name="Jane", last_name="Doe"))
    booking(ben, main, at(dt.date(2026, 3, 5), 10), patient=PatientFactory(first_name="John", last_name="Roe"))
    response = desk_client.get(f"/desk/month/{ada.pk}/?date=2026-03-20")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Dr Ada Stone — March 2026" in page
    assert "09:30 Jane Doe" in page
    assert "John Roe" not in page
    # 23 Feb to 5 Apr: six weeks, Monday first.
    assert page.count("<tr>") == 7
    assert 'href="?date=2026-02-01" rel="prev"' in page
    assert 'href="?date=2026-04-01" rel="next"' in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured.captured_queries)


def test_month_uses_a_fixed_number_of_queries(desk_client):
    ada, main = practitioner_with_hours()
    url = f"/desk/month/{ada.pk}/?date={DAY}"
    desk_client.get(url)
    for n in range(2):
        booking(ada, main, at(dt.date(2026, 3, 2) + dt.timedelta(days=n), 9))
    few = _queries(desk_client, url)
    for n in range(30):
        booking(ada, main, at(dt.date(2026, 3, 2) + dt.timedelta(days=n), 11))
    assert _queries(desk_client, url) == few


def test_month_of_an_unknown_practitioner_is_404(desk_client):
    assert desk_client.get("/desk/month/999999/").status_code == 404


@pytest.mark.parametrize("value", ["2026-13-01", "x", "1800-01-01"])
def test_month_with_a_bad_date_says_so(desk_client, value):
    ada, _ = practitioner_with_hours()
    response = desk_client.get(f"/desk/month/{ada.pk}/?date={value}")
    assert response.status_code == 400
    assert "Showing today" in response.content.decode()
