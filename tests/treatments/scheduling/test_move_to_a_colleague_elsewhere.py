"""Drag to a colleague (issue 19, item 6): the move dialog's preview runs the same check as the
confirm (the kernel's), and a move across practitioners can change location — Dr Okafor works at
Northside, so a session dragged to him from Downtown goes to Northside, and the dialog offers it."""

import pytest

from clinic.models import Location
from tests.factories import UserFactory
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours
from treatments.models import AppointmentChange
from treatments.scheduling.services.booking import BookingError, appointment_move

pytestmark = pytest.mark.django_db
NOW = at(DAY, 7)


@pytest.fixture
def clinic():
    patel, downtown = practitioner_with_hours("Dr Priya Patel", location=Location.objects.create(name="Downtown"))
    okafor, northside = practitioner_with_hours("Dr Ken Okafor", location=Location.objects.create(name="Northside"))
    walker = booking(patel, downtown, at(DAY, 9), slug="follow-up")
    return patel, okafor, downtown, northside, walker


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_moving_to_a_colleague_at_his_location_moves_the_place_too_with_the_history(clinic):
    patel, okafor, _downtown, northside, walker = clinic

    appointment_move(
        appointment=walker, start=at(DAY, 14), by=UserFactory(), now=NOW, practitioner=okafor, location=northside
    )

    walker.refresh_from_db()
    assert (walker.practitioner, walker.location, walker.start) == (okafor, northside, at(DAY, 14))
    change = AppointmentChange.objects.get(appointment=walker, kind=AppointmentChange.Kind.MOVED)
    assert (change.old_practitioner, change.new_practitioner) == (patel, okafor)


def test_moving_to_a_colleague_where_he_does_not_work_is_refused_with_the_reason(clinic):
    _patel, okafor, _downtown, _northside, walker = clinic

    with pytest.raises(BookingError, match="Dr Ken Okafor"):
        appointment_move(appointment=walker, start=at(DAY, 14), by=UserFactory(), now=NOW, practitioner=okafor)


def _preview(desk_client, walker, **query):
    url = f"/desk/appointments/{walker.pk}/move-on-calendar/"
    return desk_client.get(url, {"date": DAY.isoformat(), "time": "14:00", **query}).content.decode()


def test_the_preview_says_what_the_confirm_would_refuse_and_offers_no_confirm(desk_client, clinic):
    _patel, okafor, downtown, _northside, walker = clinic

    page = _preview(desk_client, walker, practitioner=okafor.pk, location=downtown.pk)

    assert "Dr Ken Okafor" in page and "Confirm the move" not in page
    assert 'role="alert"' in page


def test_the_preview_offers_the_colleagues_location_and_the_confirm_moves_there(desk_client, clinic):
    _patel, okafor, _downtown, northside, walker = clinic

    page = _preview(desk_client, walker, practitioner=okafor.pk)

    assert "At Northside instead of Downtown" in page
    assert f'name="location" value="{northside.pk}"' in page  # what the confirm sends
    assert "Confirm the move" in page
    response = desk_client.post(
        f"/desk/appointments/{walker.pk}/move-on-calendar/",
        {"date": DAY.isoformat(), "time": "14:00", "practitioner": okafor.pk, "location": northside.pk},
    )
    assert response.status_code == 302
    walker.refresh_from_db()
    assert (walker.practitioner, walker.location) == (okafor, northside)
