"""Fixtures and builders for the portal, consultation and education tests."""

import datetime as dt

import pytest
from django.core.cache import cache

from patients.tokens import portal_token_issue
from tests.factories import AppointmentFactory, PatientFactory, TreatmentSeriesFactory
from tests.seeds import reseed

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
