"""The week of every practitioner on the desk calendar: for each open day of the week (a day anyone
works or has an appointment), a lane per practitioner, on one time grid so a card can be dragged to
another day, time or practitioner. Built with the day view's grid helpers (selectors/calendar.py)
and the same six queries whatever the week holds (asserted in the tests): the appointments, the
practitioners, the working hours, the closures, the screening flags and the series' spacing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from clinic.localtime import day_bounds, local_date
from clinic.models import Closure, Practitioner, WorkingHours
from patients.selectors import screening_flags
from treatments.models import Appointment
from treatments.scheduling.selectors.calendar import (
    Column,
    Grid,
    _appointments,
    _closure_applies,
    _closure_span,
    _finish,
    _item,
    _minute,
)
from treatments.scheduling.selectors.calendar_version import day_version
from treatments.scheduling.selectors.series_notes import day_spacing


@dataclass
class TeamDay:
    date: dt.date
    columns: list[Column]  # one per practitioner, in the practitioners' order


@dataclass
class TeamWeek:
    first_day: dt.date
    days: list[TeamDay]
    grid: Grid  # every column of every day: rows and hour marks are shared
    appointment_count: int
    everyone: list[Practitioner]  # whom the week may show, for the desk to choose from
    version: str  # what the open week's poll compares (selectors/calendar_version.py)


def _open_days(days: list[dt.date], hours: list[WorkingHours], appointments: list[Appointment]) -> list[dt.date]:
    """The days someone works or is booked; the whole week when nobody has hours yet."""
    weekdays = {h.weekday for h in hours}
    booked = {local_date(a.start) for a in appointments}
    open_days = [d for d in days if d.weekday() in weekdays or d in booked]
    return open_days or days


def _lane(day: dt.date, practitioner: Practitioner) -> Column:
    return Column(
        key=f"{day.isoformat()}-{practitioner.pk}",
        title=practitioner.display_name,
        subtitle=practitioner.title,
        date=day,
        practitioner=practitioner,
    )


def team_week_calendar(*, first_day: dt.date, now: dt.datetime, only: set[int] | None = None) -> TeamWeek:
    """The seven days from `first_day` (the open ones), every active practitioner (and anyone
    booked that week) a lane in each; with `only`, those of them whose ids it holds."""
    days = [first_day + dt.timedelta(days=n) for n in range(7)]
    start, end = day_bounds(days[0], days[-1])
    loaded = _appointments(start, end, None)
    booked = {a.practitioner_id for a in loaded}
    everyone = list(Practitioner.objects.filter(Q(active=True) | Q(pk__in=booked)))
    practitioners = [p for p in everyone if only is None or p.pk in only]
    # Filtered here rather than in the query, so the version below is the poll's, whoever is shown.
    appointments = [a for a in loaded if only is None or a.practitioner_id in only]
    hours = list(WorkingHours.objects.select_related("location"))
    closures = list(Closure.objects.filter(starts_at__lt=end, ends_at__gt=start))
    flags = screening_flags({a.patient_id for a in appointments})
    spacing = day_spacing(appointments)

    shown = {p.pk for p in practitioners}
    hours = [h for h in hours if h.practitioner_id in shown]
    team_days = [
        TeamDay(date=day, columns=[_lane(day, p) for p in practitioners])
        for day in _open_days(days, hours, appointments)
    ]
    # Every lane is made by _lane, with its practitioner.
    columns = {(d.date, c.practitioner.pk): c for d in team_days for c in d.columns if c.practitioner is not None}
    works_at: dict[tuple[dt.date, int], set[int]] = {}
    pending, spans = [], []
    for appointment in appointments:
        key = (local_date(appointment.start), appointment.practitioner_id)
        if key not in columns:
            continue
        item, s, e = _item(appointment, key[0], flags, spacing, now)
        pending.append((columns[key], item, s, e))
        works_at.setdefault(key, set()).add(appointment.location_id)
    for block in hours:
        for day in (d.date for d in team_days if d.date.weekday() == block.weekday):
            key = (day, block.practitioner_id)
            works_at.setdefault(key, set()).add(block.location_id)
            spans.append((columns[key], "open", _minute(block.start), _minute(block.end), block.location.name))
    for closure in closures:
        for (day, pk), column in columns.items():
            s, e, label = _closure_span(closure, day)
            if e > s and _closure_applies(closure, pk, works_at.get((day, pk), set())):
                spans.append((column, "closed", s, e, label))
    grid = _finish(list(columns.values()), pending, spans)
    return TeamWeek(
        first_day=first_day,
        days=team_days,
        grid=grid,
        appointment_count=len(pending),
        everyone=everyone,
        version=day_version(day=days[0], last_day=days[-1]),
    )


__all__ = ["TeamDay", "TeamWeek", "team_week_calendar"]
