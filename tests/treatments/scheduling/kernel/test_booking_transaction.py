"""kernel.booking_transaction: all or nothing, and a lost race reads "taken" only when it was one."""

import pytest

from clinic.integrity import GENERIC, MESSAGES
from clinic.models import Room
from tests.factories import PatientFactory, TreatmentSeriesFactory
from tests.treatments.factories_calendar import DAY, at, booking
from treatments.models import Appointment
from treatments.scheduling.services.kernel.slots import BookingError, SlotTaken, booking_transaction


def test_a_write_that_lost_the_series_step_is_slot_taken_and_nothing_is_kept(clinic):
    practitioner, location = clinic
    patient = PatientFactory()
    series = TreatmentSeriesFactory(patient=patient, practitioner=practitioner, location=location)
    booking(practitioner, location, at(DAY, 9), patient=patient, series=series, series_step=1)
    with pytest.raises(SlotTaken) as caught, booking_transaction():
        booking(practitioner, location, at(DAY, 14), patient=patient, series=series, series_step=2)
        booking(practitioner, location, at(DAY, 10), patient=patient, series=series, series_step=1)
    assert caught.value.message == str(MESSAGES["appointment_one_live_per_series_step"])
    assert list(Appointment.objects.values_list("series_step", flat=True)) == [1]


def test_any_other_refusal_is_a_booking_error_with_the_generic_message_never_taken(clinic):
    _practitioner, location = clinic
    Room.objects.create(location=location, name="Room 1")
    with pytest.raises(BookingError) as caught, booking_transaction():
        Room.objects.create(location=location, name="Room 2")
        Room.objects.create(location=location, name="Room 1")
    assert not isinstance(caught.value, SlotTaken)
    assert caught.value.message == str(GENERIC)
    assert list(Room.objects.values_list("name", flat=True)) == ["Room 1"]


def test_a_booking_error_raised_inside_rolls_everything_back(clinic):
    practitioner, location = clinic
    with pytest.raises(BookingError, match="no"), booking_transaction():
        booking(practitioner, location, at(DAY, 9))
        raise BookingError("no")
    assert not Appointment.objects.exists()


def test_a_write_that_succeeds_is_kept(clinic):
    practitioner, location = clinic
    with booking_transaction():
        booking(practitioner, location, at(DAY, 9))
    assert Appointment.objects.count() == 1
