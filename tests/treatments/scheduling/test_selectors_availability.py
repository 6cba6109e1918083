"""availability_for: what the database says about one practitioner, location and patient."""

import datetime as dt

import pytest

from clinic.models import Closure
from tests.factories import AppointmentFactory, LocationFactory, PractitionerFactory, RoomFactory
from tests.treatments.factories_desk import clinic_setup, local
from treatments.scheduling.selectors.availability import availability_for

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 5, 5)
MIN = dt.timedelta(minutes=1)


def load(setup, **kw):
    practitioner, location, patient = setup
    return availability_for(practitioner=practitioner, location=location, patient=patient, first=DAY, last=DAY, **kw)


def test_only_this_locations_hours_count():
    practitioner, location, patient = setup = clinic_setup(weekdays=(1,))
    other = LocationFactory(name="North Clinic")
    assert load(setup).problem(local(2026, 5, 5, 9), local(2026, 5, 5, 9, 30)) is None
    elsewhere = availability_for(practitioner=practitioner, location=other, first=DAY, last=DAY)
    assert elsewhere.problem(local(2026, 5, 5, 9), local(2026, 5, 5, 9, 30)) == (
        "that time is outside Dr Ada Stone's hours at North Clinic"
    )


def test_closures_that_apply_and_those_that_do_not():
    practitioner, location, _ = setup = clinic_setup()
    Closure.objects.create(starts_at=local(2026, 5, 5, 8), ends_at=local(2026, 5, 5, 9), reason="Fire drill")
    Closure.objects.create(
        location=location, starts_at=local(2026, 5, 5, 9), ends_at=local(2026, 5, 5, 10), reason="Floor cleaning"
    )
    Closure.objects.create(
        practitioner=practitioner, starts_at=local(2026, 5, 5, 10), ends_at=local(2026, 5, 5, 11), reason="Dentist"
    )
    Closure.objects.create(
        practitioner=PractitionerFactory(), starts_at=local(2026, 5, 5, 13), ends_at=local(2026, 5, 5, 17), reason="x"
    )
    Closure.objects.create(
        location=LocationFactory(name="Elsewhere"),
        starts_at=local(2026, 5, 5, 13),
        ends_at=local(2026, 5, 6),
        reason="y",
    )
    avail = load(setup)
    assert avail.problem(local(2026, 5, 5, 8), local(2026, 5, 5, 8, 30)) == "the clinic is closed 5 May (Fire drill)"
    assert (
        avail.problem(local(2026, 5, 5, 9), local(2026, 5, 5, 9, 30)) == "Main Street is closed 5 May (Floor cleaning)"
    )
    assert avail.problem(local(2026, 5, 5, 10), local(2026, 5, 5, 10, 30)) == "Dr Ada Stone is away 5 May"
    assert avail.problem(local(2026, 5, 5, 13), local(2026, 5, 5, 13, 30)) is None


def test_bookings_of_the_practitioner_the_patient_and_the_room_with_buffers():
    practitioner, location, patient = setup = clinic_setup()
    room = RoomFactory(location=location)
    AppointmentFactory(practitioner=practitioner, location=location, start=local(2026, 5, 5, 8))  # + 10 min buffer
    AppointmentFactory(patient=patient, start=local(2026, 5, 5, 10))  # with another practitioner
    AppointmentFactory(room=room, location=location, start=local(2026, 5, 5, 13))
    AppointmentFactory(
        practitioner=practitioner,
        location=location,
        start=local(2026, 5, 5, 15),
        status="cancelled",
        cancelled_at=local(2026, 5, 1),
    )
    avail = load(setup, room=room)
    assert (
        avail.problem(local(2026, 5, 5, 8, 30), local(2026, 5, 5, 9)) == "Dr Ada Stone already has an appointment then"
    )
    assert avail.problem(local(2026, 5, 5, 8, 40), local(2026, 5, 5, 9, 10)) is None
    assert (
        avail.problem(local(2026, 5, 5, 10), local(2026, 5, 5, 10, 30)) == "the patient already has an appointment then"
    )
    assert avail.problem(local(2026, 5, 5, 13), local(2026, 5, 5, 13, 30)) == "the room is taken then"
    assert avail.problem(local(2026, 5, 5, 15), local(2026, 5, 5, 15, 30)) is None  # cancelled frees the slot


def test_an_appointment_starting_the_evening_before_still_blocks():
    practitioner, location, _ = setup = clinic_setup()
    # A (long) booking from 16:00 the day before to 08:30: the lower bound on start still finds it.
    AppointmentFactory(
        practitioner=practitioner, location=location, start=local(2026, 5, 4, 16), end=local(2026, 5, 5, 8, 30)
    )
    assert load(setup).problem(local(2026, 5, 5, 8), local(2026, 5, 5, 8, 30)) is not None


def test_excluded_ids_do_not_block_so_a_session_can_move_within_itself():
    practitioner, location, _ = setup = clinic_setup()
    own = AppointmentFactory(practitioner=practitioner, location=location, start=local(2026, 5, 5, 9))
    assert load(setup, exclude_ids=[own.pk]).problem(local(2026, 5, 5, 9, 15), local(2026, 5, 5, 9, 45)) is None


def test_three_queries(django_assert_num_queries):
    setup = clinic_setup()
    with django_assert_num_queries(3):
        load(setup)
