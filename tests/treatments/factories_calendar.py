"""Setup for the calendar tests: a clinic with one location, practitioners working weekdays, and
appointments placed in the clinic's wall-clock time (America/Chicago in the test settings)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from tests.factories import (
    AppointmentFactory,
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    TreatmentSeriesFactory,
    WorkingHoursFactory,
    appointment_type,
)

ZONE = ZoneInfo(settings.CLINIC_TIME_ZONE)
# A Tuesday, far from any daylight-saving change.
DAY = dt.date(2026, 3, 17)


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    """A wall-clock time in the clinic zone, as UTC."""
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=ZONE).astimezone(dt.UTC)


def practitioner_with_hours(name: str = "Dr Ada Stone", location=None, weekdays=(0, 1, 2, 3, 4)):
    location = location or LocationFactory(name="Main Street")
    practitioner = PractitionerFactory(display_name=name)
    for weekday in weekdays:
        WorkingHoursFactory(
            practitioner=practitioner, location=location, weekday=weekday, start=dt.time(8, 0), end=dt.time(12, 0)
        )
        WorkingHoursFactory(
            practitioner=practitioner, location=location, weekday=weekday, start=dt.time(13, 0), end=dt.time(17, 0)
        )
    return practitioner, location


def booking(practitioner, location, start: dt.datetime, *, patient=None, slug: str = "injection", **extra):
    kind = appointment_type(slug)
    return AppointmentFactory(
        practitioner=practitioner,
        location=location,
        patient=patient or PatientFactory(),
        appointment_type=kind,
        start=start,
        end=start + dt.timedelta(minutes=kind.duration_minutes),
        created_at=start - dt.timedelta(days=7),
        **extra,
    )


def series_booking(practitioner, location, starts: list[dt.datetime], *, patient=None, planned: int | None = None):
    """A series with a live session at each start (step 1, 2, ...)."""
    patient = patient or PatientFactory()
    series = TreatmentSeriesFactory(
        patient=patient,
        practitioner=practitioner,
        location=location,
        planned_sessions=planned or len(starts),
        created_at=starts[0] - dt.timedelta(days=7),
    )
    sessions = [
        booking(practitioner, location, start, patient=patient, series=series, series_step=step)
        for step, start in enumerate(starts, start=1)
    ]
    return series, sessions


def flagged_booking(practitioner, location, start: dt.datetime, *, in_series: bool, now: dt.datetime):
    """A booking whose patient has a screening flag, alone or as a series' first session: what a
    calendar page reads most per card (the query-count tests mix both)."""
    from patients.models import ScreeningAnswer

    patient = PatientFactory()
    ScreeningAnswer.objects.create(patient=patient, question="diabetes", answer=True, answered_at=now)
    if in_series:
        return series_booking(practitioner, location, [start], patient=patient, planned=3)[1][0]
    return booking(practitioner, location, start, patient=patient)
