"""What an empty slot clicked on the desk calendar books into: the location the practitioner works
at then (their working hours), and the patients the desk is looking for. Three queries."""

from __future__ import annotations

import datetime as dt

from clinic.models import AppointmentType, Location, Practitioner
from patients.models import Patient
from patients.selectors import patient_search
from treatments.scheduling.selectors.hours import hour_blocks

SLOT_RESULTS = 8


def slot_location(*, practitioner: Practitioner, day: dt.date, at: dt.time) -> Location | None:
    """Where the practitioner works at `at` on `day` (the week's hours or extra hours on that date);
    outside their hours, the first place they work that day, else the clinic's first active location
    (the booking service still refuses a time outside working hours, in its own words)."""
    hours = sorted(
        (
            h
            for h in hour_blocks(practitioner_id=practitioner.pk, first=day, last=day, active_locations=True)
            if h.on(day)
        ),
        key=lambda h: h.start,
    )
    chosen = next((h.location_id for h in hours if h.start <= at < h.end), hours[0].location_id if hours else None)
    if chosen is not None:
        return Location.objects.filter(pk=chosen).first()
    return Location.objects.filter(active=True).order_by("pk").first()


def slot_patients(query: str) -> list[Patient]:
    return patient_search(query, limit=SLOT_RESULTS) if query.strip() else []


def slot_types() -> list[AppointmentType]:
    """A standalone booking's types; injection sessions are booked as a series."""
    return list(AppointmentType.objects.filter(active=True, is_injection=False).order_by("name"))
