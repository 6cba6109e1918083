"""What /book/ offers: the types, locations and practitioners open online, the window the clinic's
settings allow, and the free starts, read through the desk's own availability code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from clinic.localtime import clinic_zone, local_date, local_datetime
from clinic.models import AppointmentType, ClinicSettings, DatedHours, Location, Practitioner, WorkingHours
from treatments.scheduling.rules import type_times
from treatments.scheduling.selectors.availability import availability_for

# Online starts are offered on rules.offer_step(): every third step of the clinic's grid,
# "09:15", never "09:05", with the default five-minute grid (the portal's self-move too).
# Enough choice for a small screen; the desk can always find more.
MAX_PER_DAY = 24


@dataclass(frozen=True)
class Window:
    """The earliest and latest start the clinic accepts online, at `now`."""

    earliest: dt.datetime
    first_day: dt.date
    last_day: dt.date


@dataclass(frozen=True)
class OnlineSlot:
    start: dt.datetime
    practitioner: Practitioner


def online_types() -> list[AppointmentType]:
    return list(AppointmentType.objects.filter(active=True, bookable_online=True).order_by("name"))


def online_locations() -> list[Location]:
    return list(Location.objects.filter(active=True).order_by("name"))


def online_practitioners(*, location: Location | None = None) -> list[Practitioner]:
    """Active practitioners with working hours — a week, or extra hours on dates — (at `location`,
    when given). One query."""
    hours = WorkingHours.objects.all()
    dated = DatedHours.objects.all()
    if location is not None:
        hours, dated = hours.filter(location=location), dated.filter(location=location)
    who = Q(pk__in=hours.values("practitioner_id")) | Q(pk__in=dated.values("practitioner_id"))
    return list(Practitioner.objects.filter(who, active=True).order_by("pk"))


def online_window(*, clinic: ClinicSettings, now: dt.datetime) -> Window:
    zone = clinic_zone()
    today = local_date(now, zone)
    earliest = now + dt.timedelta(hours=clinic.online_min_notice_hours)
    if not clinic.online_same_day:
        earliest = max(earliest, local_datetime(today + dt.timedelta(days=1), dt.time(0, 0), zone))
    last_day = today + dt.timedelta(days=clinic.online_max_days_ahead)
    return Window(earliest=earliest, first_day=local_date(earliest, zone), last_day=last_day)


def online_start_problem(*, start: dt.datetime, window: Window) -> str | None:
    """Why a start cannot be booked online at all, whatever is free (a sentence for the patient)."""
    if start < window.earliest:
        return _("That time is too soon to book online. Please pick a later time or call us.")
    if local_date(start, clinic_zone()) > window.last_day:
        return _("That time is too far ahead to book online.")
    return None


def online_slots(
    *,
    appointment_type: AppointmentType,
    location: Location,
    practitioners: list[Practitioner],
    day: dt.date,
    window: Window,
    now: dt.datetime | None,
) -> list[OnlineSlot]:
    """Free starts on `day` for any of `practitioners` (the first free one in their order wins a
    start), from the same availability the desk books against. Four queries per practitioner.
    `now=None`: as if no online hold were live (the day's share of holds is counted against that)."""
    if not (window.first_day <= day <= window.last_day):
        return []
    duration, buffer = type_times(appointment_type)
    found: dict[dt.datetime, OnlineSlot] = {}
    for practitioner in practitioners:
        availability = availability_for(practitioner=practitioner, location=location, first=day, last=day, now=now)
        for start in availability.starts_on(day, duration, buffer, not_before=window.earliest):
            found.setdefault(start, OnlineSlot(start=start, practitioner=practitioner))
    return [found[start] for start in sorted(found)][:MAX_PER_DAY]
