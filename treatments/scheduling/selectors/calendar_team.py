"""The week of every practitioner on the desk calendar: for each open day of the week (a day anyone
works or has an appointment), a lane per practitioner, on one time grid so a card can be dragged to
another day, time or practitioner. Built with the day view's grid helpers (selectors/calendar_grid.py)
and the same queries whatever the week holds (asserted in the tests): the appointments, the
closures, the screening flags and the setup (practitioners, hours, protocols: one query for its
token when this process has read it since it last changed, selectors/calendar_setup.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min
from django.db.models.functions import TruncDate

from clinic.localtime import clinic_zone, day_bounds, local_date
from clinic.models import Practitioner
from treatments.scheduling.selectors.calendar_grid import (
    CardReading,
    Column,
    Grid,
    card_item,
    closure_applies,
    closure_span,
    grid_finish,
    mark_covered,
    minute_of,
)
from treatments.scheduling.selectors.calendar_rows import appointment_rows
from treatments.scheduling.selectors.calendar_setup import calendar_setup
from treatments.scheduling.selectors.calendar_version import appointments_between, days_version
from treatments.scheduling.selectors.hours import HoursBlock


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
    later: list[dt.date] = field(default_factory=list)  # open days not built: loaded when seen


def _open_days(days: list[dt.date], hours: list[HoursBlock], booked: set[dt.date]) -> list[dt.date]:
    """The days someone works or is booked; the whole week when nobody has hours yet."""
    open_days = [d for d in days if d in booked or any(h.on(d) for h in hours)]
    return open_days or days


def _lane(day: dt.date, practitioner: Practitioner) -> Column:
    return Column(
        key=f"{day.isoformat()}-{practitioner.pk}",
        title=practitioner.display_name,
        subtitle=practitioner.title,
        date=day,
        practitioner=practitioner,
    )


def _outline(start: dt.datetime, end: dt.datetime, days: list[dt.date]) -> dict[tuple[dt.date, int], tuple]:
    """(local day, practitioner) -> (appointments, first minute, last minute) for the week, in one
    grouped query: which days are booked, by whom, and the hours the grid must show, without
    reading the appointments of the days not built yet."""
    zone = clinic_zone()
    rows = (
        appointments_between(start, end)
        .annotate(day=TruncDate("start", tzinfo=zone))
        .order_by()
        .values_list("day", "practitioner_id")
        .annotate(n=Count("id"), first=Min("start"), last=Max("end"))
    )
    wanted = set(days)
    return {
        (day, pk): (n, minute_of(first, day), minute_of(last, day)) for day, pk, n, first, last in rows if day in wanted
    }


def _first_days(
    open_days: list[dt.date],
    outline: dict[tuple[dt.date, int], tuple],
    practitioners: int,
    lanes: int | None,
    cards: int | None,
) -> list[dt.date]:
    """The open days from the first while they hold at most `lanes` lanes and `cards` appointments
    (the first day always)."""
    per_day: dict[dt.date, int] = {}
    for (day, _pk), (n, _first, _last) in outline.items():
        per_day[day] = per_day.get(day, 0) + n
    built: list[dt.date] = []
    lane_total = card_total = 0
    for day in open_days:
        lane_total += practitioners
        card_total += per_day.get(day, 0)
        if built and ((lanes and lane_total > lanes) or (cards and card_total > cards)):
            break
        built.append(day)
    return built


def team_week_calendar(
    *,
    first_day: dt.date,
    now: dt.datetime,
    only: set[int] | None = None,
    lanes: int | None = None,
    cards: int | None = None,
    one_day: dt.date | None = None,
    window: tuple[int, int] | None = None,
) -> TeamWeek:
    """The seven days from `first_day` (the open ones), every active practitioner (and anyone
    booked that week) a lane in each; with `only`, those of them whose ids it holds. With `lanes`
    and `cards`, only the first open days holding at most that many lanes and appointments (one
    day at least) are built, their appointments read; the others are listed in `later`, for the
    page to load when they come into view. With `one_day`, only that day is built,
    on a grid covering `window` (the minutes of the page it joins)."""
    days = [first_day + dt.timedelta(days=n) for n in range(7)]
    start, end = day_bounds(days[0], days[-1])
    outline = _outline(start, end, days)
    booked = {pk for _day, pk in outline}
    setup = calendar_setup()
    everyone = [p for p in setup.practitioners if p.active or p.pk in booked]
    practitioners = [p for p in everyone if only is None or p.pk in only]
    shown = {p.pk for p in practitioners}
    outline = {key: value for key, value in outline.items() if key[1] in shown}
    hours = [h for h in setup.hours if h.practitioner_id in shown]
    open_days = _open_days(days, hours, {day for day, _pk in outline})
    built = [one_day] if one_day is not None else _first_days(open_days, outline, len(practitioners), lanes, cards)
    later = [day for day in open_days if day not in built]
    appointments = []
    if built:
        built_start, built_end = day_bounds(min(built), max(built))
        appointments = [
            a
            for a in appointment_rows(built_start, built_end, None, setup)
            if a.practitioner_id in shown and local_date(a.start) in built
        ]
    closures = setup.closures_between(start, end)
    reading = CardReading(appointments, now, setup)

    team_days = [TeamDay(date=day, columns=[_lane(day, p) for p in practitioners]) for day in built]
    # Every lane is made by _lane, with its practitioner.
    columns = {(d.date, c.practitioner.pk): c for d in team_days for c in d.columns if c.practitioner is not None}
    works_at: dict[tuple[dt.date, int], set[int]] = {}
    pending, spans = [], []
    for appointment in appointments:
        key = (local_date(appointment.start), appointment.practitioner_id)
        if key not in columns:
            continue
        item, s, e = card_item(appointment, key[0], reading)
        pending.append((columns[key], item, s, e))
        works_at.setdefault(key, set()).add(appointment.location_id)
    for block in hours:
        for day in (d.date for d in team_days if block.on(d.date)):
            key = (day, block.practitioner_id)
            works_at.setdefault(key, set()).add(block.location_id)
            spans.append((columns[key], "open", minute_of(block.start), minute_of(block.end), block.location_name))
    for closure in closures:
        for (day, pk), column in columns.items():
            s, e, label = closure_span(closure, day)
            if e > s and closure_applies(closure, pk, works_at.get((day, pk), set())):
                spans.append((column, "closed", s, e, label))
    mark_covered(pending, closures, setup, now)
    # The days built apart share the page's rows: the window covers every open day's hours and
    # appointments (or the page's own window, given to a day built alone).
    also = [window] if window else [(first, last) for _n, first, last in outline.values()]
    also += [(minute_of(h.start), minute_of(h.end)) for h in hours if any(h.on(d) for d in open_days)]
    grid = grid_finish(list(columns.values()), pending, spans, also)
    return TeamWeek(
        first_day=first_day,
        days=team_days,
        grid=grid,
        appointment_count=sum(n for n, _first, _last in outline.values()),
        everyone=everyone,
        version=days_version(first_day=days[0], last_day=days[-1]) if one_day is None else "",
        later=later,
    )


__all__ = ["TeamDay", "TeamWeek", "team_week_calendar"]
