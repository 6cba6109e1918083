"""Races closed in the database, on PostgreSQL: many writers at once, exactly one row, and each
loser told what happened by the name of the constraint it lost on (clinic/integrity.py)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from tests.concurrency import race
from tests.factories import PractitionerFactory, appointment_type
from tests.treatments.factories_desk import clinic_setup, ensure_seed, local
from treatments.models import Appointment, WaitlistEntry
from treatments.scheduling.services.booking import SlotTaken, appointment_book
from treatments.scheduling.services.kernel import slots as kernel
from treatments.scheduling.services.waitlist import waitlist_add

NOW = local(2026, 5, 1, 12)
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _outcomes(n: int, attempt) -> list[str]:
    """ "ok", or the message each loser was shown."""
    return ["ok" if not isinstance(r, Exception) else getattr(r, "message", str(r)) for r in race(n, attempt)]


def test_eight_desks_adding_one_patient_to_the_waitlist_at_once_leave_one_entry():
    ensure_seed()
    practitioner, _location, patient = clinic_setup()
    kind = appointment_type("follow-up")
    outcomes = _outcomes(
        8,
        lambda: waitlist_add(patient=patient, practitioner=practitioner, appointment_type=kind, by=None, now=NOW),
    )
    assert sorted(outcomes) == ["This patient is already on the waitlist for that."] * 7 + ["ok"]
    assert WaitlistEntry.objects.filter(patient=patient, resolved_at__isnull=True).count() == 1


def test_waiting_for_one_session_from_two_desks_at_once_leaves_one_entry():
    ensure_seed()
    practitioner, location, patient = clinic_setup()
    session = appointment_book(
        patient=patient,
        practitioner=practitioner,
        location=location,
        appointment_type=appointment_type("follow-up"),
        start=local(2026, 5, 20, 9),
        by=None,
        now=NOW,
    )
    outcomes = _outcomes(
        4,
        lambda: waitlist_add(
            patient=patient,
            practitioner=practitioner,
            appointment_type=session.appointment_type,
            appointment=session,
            by=None,
            now=NOW,
        ),
    )
    assert outcomes.count("ok") == 1
    assert outcomes.count("This patient is already on the waitlist for that.") == 3
    assert WaitlistEntry.objects.filter(appointment=session).count() == 1


def test_one_patient_booked_with_two_practitioners_at_once_is_told_about_the_patient(monkeypatch):
    """Each desk locks its own practitioner, so both checks pass; the patient's exclusion
    constraint refuses the later insert, and that desk reads why (not "that time was taken")."""
    ensure_seed()
    first, location, patient = clinic_setup()
    second = PractitionerFactory(display_name="Dr Ben Okafor")
    kind = appointment_type("follow-up")
    start = local(2026, 5, 5, 10)
    real = kernel.availability_for

    def checked_then_rival_commits(**kwargs):
        result = real(**kwargs)
        rival = threading.Thread(target=_book_and_close, args=(patient, second, location, kind, start))
        rival.start()
        rival.join()
        return result

    monkeypatch.setattr(kernel, "availability_for", checked_then_rival_commits)
    with pytest.raises(SlotTaken) as caught:
        appointment_book(
            patient=patient, practitioner=first, location=location, appointment_type=kind, start=start, by=None, now=NOW
        )
    assert caught.value.message == "The patient already has an appointment at that time. Pick another."
    assert list(Appointment.objects.filter(patient=patient).values_list("practitioner_id", flat=True)) == [second.pk]


def _book_and_close(patient, practitioner, location, kind, start):
    try:
        Appointment.objects.create(
            patient=patient,
            practitioner=practitioner,
            location=location,
            appointment_type=kind,
            start=start,
            end=start + dt.timedelta(minutes=kind.duration_minutes),
            created_at=NOW,
        )
    finally:
        connection.close()
