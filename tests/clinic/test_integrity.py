"""Each database refusal is told apart by its constraint's name (clinic/integrity.py), on SQLite as on
PostgreSQL: a known one gets its own message, an unknown one the generic message and a log line
without the clashing values — never "That time was just taken"."""

import importlib
import logging

import pytest
from django.apps import apps
from django.db import IntegrityError, models, transaction

from clinic.integrity import GENERIC, MESSAGES, constraint_message, constraint_name, integrity_message
from clinic.models import Room
from tests.factories import LocationFactory, PatientFactory, TreatmentSeriesFactory, appointment_type
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours
from treatments.models import Appointment, WaitlistEntry
from treatments.scheduling.services.booking import BookingError, SlotTaken
from treatments.scheduling.services.kernel.slots import booking_transaction

pytestmark = pytest.mark.django_db


def _refusal(write) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        write()
    return caught.value


def _entry(patient, practitioner, appointment=None, resolved_at=None):
    return WaitlistEntry.objects.create(
        patient=patient,
        practitioner=practitioner,
        appointment=appointment,
        appointment_type=appointment_type("follow-up"),
        created_at=at(DAY, 8),
        resolved_at=resolved_at,
    )


def test_a_second_open_waitlist_entry_without_a_session_is_refused_by_its_constraint():
    practitioner, _location = practitioner_with_hours()
    patient = PatientFactory()
    _entry(patient, practitioner)
    error = _refusal(lambda: _entry(patient, practitioner))
    assert constraint_name(error) == "waitlist_entry_one_open_without_session"
    assert constraint_message(error) == "This patient is already on the waitlist for that."
    assert WaitlistEntry.objects.count() == 1


def test_a_second_open_waitlist_entry_for_one_session_is_refused_by_its_constraint():
    practitioner, location = practitioner_with_hours()
    session = booking(practitioner, location, at(DAY, 9))
    _entry(session.patient, practitioner, session)
    error = _refusal(lambda: _entry(session.patient, practitioner, session))
    assert constraint_name(error) == "waitlist_entry_one_open_per_session"
    assert WaitlistEntry.objects.count() == 1


def test_resolved_entries_do_not_block_a_new_one():
    practitioner, location = practitioner_with_hours()
    session = booking(practitioner, location, at(DAY, 9))
    _entry(session.patient, practitioner, session, resolved_at=at(DAY, 8))
    _entry(session.patient, practitioner, resolved_at=at(DAY, 8))
    _entry(session.patient, practitioner, session)
    _entry(session.patient, practitioner)
    assert WaitlistEntry.objects.filter(resolved_at__isnull=True).count() == 2


def test_a_named_check_constraint_is_read_from_the_error():
    practitioner, location = practitioner_with_hours()
    session = booking(practitioner, location, at(DAY, 9))
    error = _refusal(lambda: Appointment.objects.filter(pk=session.pk).update(end=session.start))
    assert constraint_name(error) == "appointment_end_after_start"


def test_an_unknown_constraint_is_logged_without_values_and_shown_as_the_generic_error(caplog):
    location = LocationFactory()
    Room.objects.create(location=location, name="Room Ferdinand-Secret")
    error = _refusal(lambda: Room.objects.create(location=location, name="Room Ferdinand-Secret"))
    assert constraint_name(error) == "room_unique_name_per_location"
    assert constraint_message(error) is None
    with caplog.at_level(logging.ERROR, logger="clinic.integrity"):
        assert integrity_message(error) == str(GENERIC)
    assert "room_unique_name_per_location" in caplog.text
    assert "Ferdinand" not in caplog.text


def test_a_booking_refused_by_an_unknown_rule_is_not_reported_as_time_taken():
    location = LocationFactory()
    Room.objects.create(location=location, name="Room 1")
    with pytest.raises(BookingError) as caught, booking_transaction():
        Room.objects.create(location=location, name="Room 1")
    assert not isinstance(caught.value, SlotTaken)
    assert caught.value.message == str(GENERIC)
    assert "taken" not in caught.value.message


def test_a_booking_losing_its_series_step_is_slot_taken_with_that_steps_message():
    practitioner, location = practitioner_with_hours()
    patient = PatientFactory()
    series = TreatmentSeriesFactory(patient=patient, practitioner=practitioner, location=location)
    booking(practitioner, location, at(DAY, 9), patient=patient, series=series, series_step=1)
    with pytest.raises(SlotTaken) as caught, booking_transaction():
        booking(practitioner, location, at(DAY, 10), patient=patient, series=series, series_step=1)
    assert caught.value.message == str(MESSAGES["appointment_one_live_per_series_step"])
    assert Appointment.objects.count() == 1


def _known_constraint_names() -> set[str]:
    names = set()
    for model in apps.get_models():
        table = model._meta.db_table
        names |= {c.name for c in model._meta.constraints}
        names |= {f"{table}_{f.column}_key" for f in model._meta.local_fields if f.unique and not f.primary_key}
    overlaps = importlib.import_module("treatments.migrations.0002_no_overlap_postgres")
    names |= {name for name, _column, _extra in overlaps.CONSTRAINTS}
    second_factor = importlib.import_module("clinic.migrations.0006_races_one_second_factor")
    names |= {name for name, _table in second_factor.INDEXES}
    holds = importlib.import_module("treatments.migrations.0006_booka_online_booking")
    if "ADD CONSTRAINT online_booking_no_overlap_held" in holds.HOLD_NO_OVERLAP:
        names.add("online_booking_no_overlap_held")
    return names


def test_every_registered_message_names_a_constraint_that_exists():
    assert set(MESSAGES) - _known_constraint_names() == set()


def test_the_waitlist_constraints_are_partial_unique_constraints_on_the_model():
    constraints = {c.name: c for c in WaitlistEntry._meta.constraints}
    for name in ("waitlist_entry_one_open_per_session", "waitlist_entry_one_open_without_session"):
        assert isinstance(constraints[name], models.UniqueConstraint)
        assert constraints[name].condition is not None
