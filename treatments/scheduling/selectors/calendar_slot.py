"""What an empty slot clicked on the desk calendar books into: the location the practitioner works
at then (their working hours), and the patients the desk is looking for. Two queries."""

from __future__ import annotations

import datetime as dt

from clinic.models import AppointmentType, Location, Practitioner, WorkingHours
from patients.models import Patient
from patients.selectors import patient_search

SLOT_RESULTS = 8


def slot_location(*, practitioner: Practitioner, day: dt.date, at: dt.time) -> Location | None:
    """Where the practitioner works at `at` on `day`; outside their hours, the first place they
    work that day, else the clinic's first active location (the booking service still refuses a
    time outside working hours, in its own words)."""
    hours = list(
        WorkingHours.objects.filter(practitioner=practitioner, weekday=day.weekday(), location__active=True)
        .select_related("location")
        .order_by("start")
    )
    for block in hours:
        if block.start <= at < block.end:
            return block.location
    if hours:
        return hours[0].location
    return Location.objects.filter(active=True).order_by("pk").first()


def slot_patients(query: str) -> list[Patient]:
    return patient_search(query, limit=SLOT_RESULTS) if query.strip() else []


def slot_types() -> list[AppointmentType]:
    """A standalone booking's types; injection sessions are booked as a series."""
    return list(AppointmentType.objects.filter(active=True, is_injection=False).order_by("name"))
