"""kernel.check_slot: the one-slot check every booking write makes, refusing with the sentence the
user reads."""

import datetime as dt

import pytest

from clinic.models import Room
from tests.factories import LocationFactory, PatientFactory, appointment_type
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours
from treatments.scheduling.services.kernel.slots import BookingError, booking_transaction, check_slot

NOW = at(DAY, 7)


def _check(practitioner, location, start, *, patient=None, room=None, exclude_ids=()):
    with booking_transaction():
        check_slot(
            patient=patient,
            practitioner=practitioner,
            location=location,
            appointment_type=appointment_type("follow-up"),
            start=start,
            now=NOW,
            room=room,
            exclude_ids=exclude_ids,
        )


def _refusal(*args, **kwargs) -> str:
    with pytest.raises(BookingError) as caught:
        _check(*args, **kwargs)
    return caught.value.message


def test_a_free_time_in_the_practitioners_hours_passes(clinic):
    practitioner, location = clinic
    _check(practitioner, location, at(DAY, 9))


def test_a_time_without_a_zone_is_refused(clinic):
    practitioner, location = clinic
    naive = dt.datetime.combine(DAY, dt.time(9, 0))
    assert _refusal(practitioner, location, naive) == "The time has no time zone."


def test_a_time_in_the_past_is_refused(clinic):
    practitioner, location = clinic
    assert _refusal(practitioner, location, NOW - dt.timedelta(hours=1)) == "That time is in the past."


def test_a_room_at_another_location_is_refused(clinic):
    practitioner, location = clinic
    elsewhere = Room.objects.create(location=LocationFactory(name="Lake Road"), name="Room 1")
    assert _refusal(practitioner, location, at(DAY, 9), room=elsewhere) == "That room is at another location."


def test_outside_the_hours_the_clause_reads_as_a_sentence(clinic):
    practitioner, location = clinic
    message = _refusal(practitioner, location, at(DAY, 12, 30))
    assert message == "That time is outside Dr Ada Stone's hours at Main Street."


def test_a_booked_time_names_the_clash(clinic):
    practitioner, location = clinic
    booking(practitioner, location, at(DAY, 9))
    message = _refusal(practitioner, location, at(DAY, 9, 15))
    assert message.startswith("Dr Ada Stone already has an appointment")
    assert message.endswith(".")


def test_the_patients_own_appointment_with_another_practitioner_is_a_clash(clinic):
    practitioner, location = clinic
    other, _ = practitioner_with_hours("Dr Ben Okafor", location=location)
    patient = PatientFactory()
    booking(practitioner, location, at(DAY, 14), patient=patient)
    message = _refusal(other, location, at(DAY, 14), patient=patient)
    assert message.startswith("The patient already has an appointment")


def test_the_appointment_being_moved_does_not_block_its_own_new_time(clinic):
    practitioner, location = clinic
    moving = booking(practitioner, location, at(DAY, 9))
    _check(practitioner, location, at(DAY, 9, 15), exclude_ids=(moving.pk,))
