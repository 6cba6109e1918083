"""The open day polls its version (a digest of what its grid shows) and refreshes only when it
changes."""

import re

import pytest
from django.utils import timezone

from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours
from treatments.models import Appointment

pytestmark = pytest.mark.django_db

NOW = at(DAY, 8)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=True)


def _page_version(client) -> str:
    page = client.get(f"/desk/?date={DAY}").content.decode()
    return re.search(r'id="cal-version" hidden data-version="([^"]+)"', page).group(1)


def _polled(client, query=f"date={DAY}") -> str:
    response = client.get(f"/desk/calendar/version/?{query}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return response.content.decode()


def test_the_page_and_the_poll_agree_while_nothing_changes(desk_client):
    ada, main = practitioner_with_hours()
    booking(ada, main, at(DAY, 9))
    assert _page_version(desk_client) == _polled(desk_client) == _polled(desk_client)


def test_a_booking_a_move_and_a_cancellation_each_change_the_version(desk_client):
    ada, main = practitioner_with_hours()
    first = booking(ada, main, at(DAY, 9))
    seen = {_polled(desk_client)}
    other = booking(ada, main, at(DAY, 11))
    seen.add(_polled(desk_client))
    Appointment.objects.filter(pk=other.pk).update(start=at(DAY, 15), end=at(DAY, 15, 30), updated_at=timezone.now())
    seen.add(_polled(desk_client))
    first.status = Appointment.Status.CANCELLED
    first.cancelled_at = NOW
    first.save()
    seen.add(_polled(desk_client))
    assert len(seen) == 4


def test_another_day_does_not_change_this_one(desk_client):
    ada, main = practitioner_with_hours()
    before = _polled(desk_client)
    booking(ada, main, at(DAY.replace(day=18), 9))
    assert _polled(desk_client) == before


def test_the_poll_reads_the_day_in_two_queries(desk_client, django_assert_max_num_queries):
    ada, main = practitioner_with_hours()
    booking(ada, main, at(DAY, 9))
    desk_client.get("/desk/calendar/version/")
    # session (read and renewed), user, roles, the setup's token, the day's rows and their flags:
    # no more whatever the day holds
    with django_assert_max_num_queries(9):
        desk_client.get(f"/desk/calendar/version/?date={DAY}")


@pytest.mark.parametrize("query", ["date=2026-13-01", "date=1900-01-01", "date=x&location=99999", "location=abc"])
def test_a_bad_poll_is_a_400(desk_client, query):
    assert desk_client.get(f"/desk/calendar/version/?{query}").status_code == 400


def test_the_version_depends_on_the_values_read_not_on_the_objects_holding_them(desk_client):
    """Each web process reads the day afresh: equal rows must give the same version in all of them."""
    import copy
    import pickle

    from treatments.scheduling.selectors.calendar import DayReading, read_day

    ada, main = practitioner_with_hours()
    booking(ada, main, at(DAY, 9))
    booking(ada, main, at(DAY, 11))
    reading = read_day(day=DAY)
    fresh = [tuple(pickle.loads(pickle.dumps(value)) for value in row) for row in reading.rows]  # new objects
    assert any(a is not b for a, b in zip(fresh[0], reading.rows[0], strict=True))
    again = DayReading(reading.day, reading.location_id, reading.setup, fresh, copy.deepcopy(reading.flags))
    assert again.version == reading.version == _polled(desk_client)
