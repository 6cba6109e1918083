"""Setup for the desk's booking tests: a practitioner working Tuesdays and Thursdays at one
location, in the clinic zone (America/Chicago in the test settings)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from tests.factories import LocationFactory, PatientFactory, PractitionerFactory, WorkingHoursFactory

ZONE = ZoneInfo(settings.CLINIC_TIME_ZONE)


def local(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> dt.datetime:
    """A wall-clock time in the clinic zone, as UTC."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=ZONE).astimezone(dt.UTC)


def clinic_setup(*, weekdays=(0, 1, 2, 3, 4), name: str = "Dr Ada Stone"):
    location = LocationFactory(name="Main Street")
    practitioner = PractitionerFactory(display_name=name)
    for weekday in weekdays:
        # Morning and afternoon blocks: lunch 12:00-13:00 is a break.
        WorkingHoursFactory(
            practitioner=practitioner, location=location, weekday=weekday, start=dt.time(8, 0), end=dt.time(12, 0)
        )
        WorkingHoursFactory(
            practitioner=practitioner, location=location, weekday=weekday, start=dt.time(13, 0), end=dt.time(17, 0)
        )
    patient = PatientFactory(first_name="Maria", last_name="Lopez")
    return practitioner, location, patient


def ensure_seed() -> None:
    """Transactional tests (threads, the browser) run after others have flushed the database:
    put back the seeded appointment types and protocols (the seed is idempotent)."""
    import importlib

    from django.apps import apps

    importlib.import_module("treatments.migrations.0003_seed_protocols").seed(apps, None)


def book_series(setup, starts: list[dt.datetime], *, now: dt.datetime, patient=None):
    """A knee OA (Rabago) series booked through the service, as the desk would (its windows are
    checked). `setup` is clinic_setup()'s (practitioner, location, patient)."""
    from tests.factories import protocol
    from treatments.scheduling.services.booking import series_book

    practitioner, location, default_patient = setup
    return series_book(
        patient=patient or default_patient,
        protocol=protocol(),
        practitioner=practitioner,
        location=location,
        side="left",
        starts=starts,
        by=None,
        now=now,
    )
