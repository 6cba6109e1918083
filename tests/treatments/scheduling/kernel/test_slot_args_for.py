"""kernel.slot_args_for: what the one-slot check asks of an appointment moved to a new time — the
move service, its preview and the waitlist's offers all ask with it, so they ask the same."""

from clinic.models import Room
from tests.factories import LocationFactory
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours
from treatments.scheduling.services.kernel.slots import slot_args_for

NOW = at(DAY, 7)


def test_by_default_it_keeps_its_patient_practitioner_place_and_room_and_leaves_itself_out(clinic):
    practitioner, location = clinic
    room = Room.objects.create(location=location, name="Room 1")
    appointment = booking(practitioner, location, at(DAY, 9), room=room)
    args = slot_args_for(appointment, at(DAY, 10), now=NOW)
    assert (args["patient"], args["practitioner"], args["location"], args["room"]) == (
        appointment.patient,
        practitioner,
        location,
        room,
    )
    assert (args["appointment_type"], args["start"], args["now"]) == (appointment.appointment_type, at(DAY, 10), NOW)
    assert args["exclude_ids"] == (appointment.pk,)


def test_a_colleague_takes_it_with_its_room_when_the_place_stays(clinic):
    practitioner, location = clinic
    colleague, _ = practitioner_with_hours("Dr Ben Okafor", location=location)
    room = Room.objects.create(location=location, name="Room 1")
    appointment = booking(practitioner, location, at(DAY, 9), room=room)
    args = slot_args_for(appointment, at(DAY, 10), now=NOW, practitioner=colleague)
    assert (args["practitioner"], args["location"], args["room"]) == (colleague, location, room)


def test_a_new_place_leaves_the_room_behind(clinic):
    practitioner, location = clinic
    room = Room.objects.create(location=location, name="Room 1")
    appointment = booking(practitioner, location, at(DAY, 9), room=room)
    elsewhere = LocationFactory(name="Lake Road")
    args = slot_args_for(appointment, at(DAY, 10), now=NOW, location=elsewhere)
    assert (args["location"], args["room"]) == (elsewhere, None)


def test_the_sessions_it_drags_are_left_out_of_the_check_too(clinic):
    practitioner, location = clinic
    moved = booking(practitioner, location, at(DAY, 9))
    later = [booking(practitioner, location, at(DAY, 14)), booking(practitioner, location, at(DAY, 15))]
    args = slot_args_for(moved, at(DAY, 10), now=NOW, later=later)
    assert args["exclude_ids"] == (moved.pk, later[0].pk, later[1].pk)
