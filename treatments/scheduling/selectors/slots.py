"""'Find the next free slot' for an appointment type with a practitioner, over the desk
helper's Availability (three queries per location, then pure code)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from clinic.localtime import clinic_zone, local_date, to_local
from clinic.models import AppointmentType, DatedHours, Location, Practitioner, WorkingHours
from treatments.scheduling.rules import on_grid, type_times
from treatments.scheduling.selectors.availability import availability_for

SEARCH_DAYS = 90


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    end: dt.datetime
    location: Location

    @property
    def local_start(self) -> dt.datetime:
        return to_local(self.start)


def practitioner_locations(practitioner: Practitioner) -> list[Location]:
    """Where the practitioner works: the week's hours and any extra hours on dates (one query)."""
    weekly = WorkingHours.objects.filter(practitioner=practitioner).values("location_id")
    dated = DatedHours.objects.filter(practitioner=practitioner).values("location_id")
    return list(Location.objects.filter(Q(pk__in=weekly) | Q(pk__in=dated), active=True))


def next_free_slots(
    *,
    practitioner: Practitioner,
    appointment_type: AppointmentType,
    after: dt.datetime,
    now: dt.datetime,
    location: Location | None = None,
    limit: int = 5,
    days: int = SEARCH_DAYS,
) -> list[Slot]:
    """The earliest free starts (at most one per day and location) from `after`, never in the past."""
    zone = clinic_zone()
    earliest = on_grid(max(after, now), zone=zone)
    first = local_date(earliest, zone)
    last = first + dt.timedelta(days=days)
    duration, buffer = type_times(appointment_type)
    locations = [location] if location is not None else practitioner_locations(practitioner)
    found: list[Slot] = []
    for place in locations:
        availability = availability_for(practitioner=practitioner, location=place, first=first, last=last)
        day = first
        per_place = 0
        while day <= last and per_place < limit:
            for free in availability.free_starts(day, duration, buffer):
                start = on_grid(max(free.first, earliest), zone=zone)
                if start <= free.last:
                    found.append(Slot(start=start, end=start + duration, location=place))
                    per_place += 1
                    break
            day += dt.timedelta(days=1)
    found.sort(key=lambda s: s.start)
    return found[:limit]
