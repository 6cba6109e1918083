"""Fixtures and builders for the portal, consultation and education tests."""

import datetime as dt

import pytest
from django.core.cache import cache

from patients.tokens import portal_token_issue
from tests.factories import AppointmentFactory, PatientFactory, TreatmentSeriesFactory
from tests.seeds import reseed
from treatments.models import Appointment, WaitlistEntry, WaitlistOffer

NOW = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def clear_cache():
    """Rate-limit counters live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


def patient_with_series(*, now: dt.datetime = NOW, steps_done: int = 1, next_in_days: int = 5, **patient_kwargs):
    """A patient in a knee series: `steps_done` completed sessions and the next one booked."""
    patient = PatientFactory(**patient_kwargs)
    series = TreatmentSeriesFactory(patient=patient, created_at=now - dt.timedelta(days=60))
    for step in range(1, steps_done + 1):
        start = now - dt.timedelta(days=28 * (steps_done - step + 1))
        AppointmentFactory(
            patient=patient,
            series=series,
            series_step=step,
            practitioner=series.practitioner,
            location=series.location,
            start=start,
            end=start + dt.timedelta(minutes=30),
            status="completed",
            created_at=now - dt.timedelta(days=60),
        )
    start = now + dt.timedelta(days=next_in_days)
    upcoming = AppointmentFactory(
        patient=patient,
        series=series,
        series_step=steps_done + 1,
        practitioner=series.practitioner,
        location=series.location,
        start=start,
        end=start + dt.timedelta(minutes=30),
        created_at=now - dt.timedelta(days=60),
    )
    return patient, series, upcoming


def issue_link(patient, *, now: dt.datetime = NOW, days: int = 30) -> str:
    return portal_token_issue(patient=patient, now=now, days=days)


@pytest.fixture
def seeded_data(transactional_db):
    """Kept for the portal tests that name it; tests/conftest.py re-seeds every transactional test."""
    reseed()


def offer_for(patient, appointment, *, now):
    """An open waitlist offer of a freed time, so the offer page has something real to show."""
    freed = AppointmentFactory(
        practitioner=appointment.practitioner,
        location=appointment.location,
        start=appointment.start - dt.timedelta(days=2),
        end=appointment.end - dt.timedelta(days=2),
        status=Appointment.Status.CANCELLED,
        cancelled_at=now,
    )
    entry = WaitlistEntry.objects.create(
        patient=patient,
        practitioner=appointment.practitioner,
        appointment=appointment,
        appointment_type=appointment.appointment_type,
        created_at=now,
    )
    return WaitlistOffer.objects.create(
        entry=entry, freed=freed, rank=1, created_at=now, expires_at=now + dt.timedelta(hours=12)
    )
