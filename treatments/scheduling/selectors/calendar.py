"""The desk calendar: a day with a column per practitioner, or a practitioner's week with a
column per day. A fixed number of queries whatever the data (asserted in the tests): the
appointments (as plain values, with each series session's previous live session for its spacing,
no model instance), the closures, one for every screening flag, and the setup (practitioners,
working hours, types, protocols: one query for its token when this process has read it since it
last changed, selectors/calendar_setup.py). The grid they are placed on: selectors/calendar_grid.py."""

import datetime as dt
import hashlib
import pickle
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q

from clinic.localtime import day_bounds, local_date, to_local
from clinic.models import Closure, Practitioner
from patients.selectors import ScreeningFlag, screening_flags
from treatments.scheduling.selectors.calendar_grid import (
    ROW_MINUTES,
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
from treatments.scheduling.selectors.calendar_rows import PATIENT_ID, CardRow, appointment_rows, card_rows, read_rows
from treatments.scheduling.selectors.calendar_setup import CalendarSetup, calendar_setup


@dataclass
class DayCalendar:
    day: dt.date
    grid: Grid
    appointment_count: int
    # What the grid shows depends on `now` (check-in on the day, no-show once started, a freed
    # slot until it starts, the line at the current time): it holds until this moment.
    valid_until: dt.datetime | None = None
    setup: CalendarSetup | None = None  # what it was built from (the legend shows its types)


def _valid_until(appointments: list[CardRow], now: dt.datetime, shows_today: bool) -> dt.datetime:
    """The next moment the grid would change with no write: local midnight, the next start, and
    on today the next row of the line at the current time."""
    moments = [day_bounds(local_date(now))[1]]
    moments += [a.start for a in appointments if a.start > now]
    if shows_today:
        # Zone offsets are whole multiples of five minutes: the rows start on the same instants in UTC.
        into_row = dt.timedelta(minutes=now.minute % ROW_MINUTES, seconds=now.second, microseconds=now.microsecond)
        moments.append(now - into_row + dt.timedelta(minutes=ROW_MINUTES))
    return min(moments)


@dataclass
class DayReading:
    """What the day calendar reads of the database, once: its appointments as rows of plain values
    (calendar_rows.read_rows: with their patients' names and updated_at, their series' size and
    protocol, the intake, the previous live session), their patients' screening flags, and the
    setup (practitioners, hours, closures, types, rooms, protocols: its token). Its `version` is a
    digest of the three, so it changes when anything the grid shows does: the open day polls it
    (views.calendar.version) and the day page finds its kept grid under it (day_grid), then builds
    from this same reading when none is kept (no second read of the day)."""

    day: dt.date
    location_id: int | None
    setup: CalendarSetup
    rows: list[tuple]
    flags: dict[int, list[ScreeningFlag]]

    @cached_property
    def version(self) -> str:
        flagged = sorted((pk, [f.question for f in found]) for pk, found in self.flags.items())
        # pickle: the rows' values as bytes, fast and the same in every process (the driver gives
        # each row fresh values, so the same data always pickles alike).
        data = pickle.dumps((self.setup.token, self.rows, flagged), protocol=5)
        return hashlib.blake2b(data, digest_size=8).hexdigest()


def read_day(*, day: dt.date, location_id: int | None = None, setup: CalendarSetup | None = None) -> DayReading:
    """The day's reading: two queries (its appointments, their flags) besides the setup's token."""
    start, end = day_bounds(day)
    setup = setup or calendar_setup()
    rows = read_rows(start, end, location_id=location_id)
    flags = screening_flags({row[PATIENT_ID] for row in rows})
    return DayReading(day, location_id, setup, rows, flags)


def day_calendar(
    *, day: dt.date, now: dt.datetime, location_id: int | None = None, setup: CalendarSetup | None = None
) -> DayCalendar:
    """Every active practitioner (and anyone with an appointment that day) as a column; with a
    location, only those working or booked there that day. `setup`: the one the page has read."""
    return day_calendar_of(read_day(day=day, location_id=location_id, setup=setup), now=now)


def day_calendar_of(reading: DayReading, *, now: dt.datetime) -> DayCalendar:
    """The day calendar of a day already read (read_day): the page that found no kept grid builds
    from the reading it made its version of."""
    day, location_id, setup = reading.day, reading.location_id, reading.setup
    start, end = day_bounds(day)
    appointments = card_rows(reading.rows, setup)
    with_appointments = {a.practitioner_id for a in appointments}
    hours = [h for h in setup.hours if h.on(day) and (location_id is None or h.location_id == location_id)]
    if location_id is None:
        practitioners = [p for p in setup.practitioners if p.active or p.pk in with_appointments]
    else:
        wanted = with_appointments | {h.practitioner_id for h in hours}
        practitioners = [p for p in setup.practitioners if p.pk in wanted]
    closures = setup.closures_between(start, end)
    shared = CardReading(appointments, now, setup, reading.flags)

    columns = {
        p.pk: Column(key=str(p.pk), title=p.display_name, subtitle=p.title, practitioner=p, date=day)
        for p in practitioners
    }
    works_at: dict[int, set[int]] = {}
    pending, spans = [], []
    for appointment in appointments:
        column = columns[appointment.practitioner_id]
        item, s, e = card_item(appointment, day, shared)
        pending.append((column, item, s, e))
        works_at.setdefault(appointment.practitioner_id, set()).add(appointment.location_id)
    for block in hours:
        if block.practitioner_id in columns:
            works_at.setdefault(block.practitioner_id, set()).add(block.location_id)
            spans.append(
                (
                    columns[block.practitioner_id],
                    "open",
                    minute_of(block.start),
                    minute_of(block.end),
                    block.location_name,
                )
            )
    for closure in closures:
        s, e, label = closure_span(closure, day)
        for pk, column in columns.items():
            if closure_applies(closure, pk, works_at.get(pk, set())):
                spans.append((column, "closed", s, e, label))
    mark_covered(pending, closures, setup, now)
    grid = grid_finish(list(columns.values()), pending, spans)
    local_now = to_local(now)
    if local_now.date() == day:
        minute = local_now.hour * 60 + local_now.minute
        if grid.first_minute <= minute < grid.last_minute:
            grid.now_row = (minute - grid.first_minute) // ROW_MINUTES + 1
    return DayCalendar(
        day=day,
        grid=grid,
        appointment_count=len(appointments),
        valid_until=_valid_until(appointments, now, local_now.date() == day),
        setup=setup,
    )


@dataclass
class WeekCalendar:
    practitioner: Practitioner
    first_day: dt.date
    grid: Grid


def week_calendar(*, practitioner: Practitioner, first_day: dt.date, now: dt.datetime) -> WeekCalendar:
    """One practitioner's seven days from `first_day`, a column per day."""
    days = [first_day + dt.timedelta(days=n) for n in range(7)]
    start, end = day_bounds(days[0], days[-1])
    setup = calendar_setup()
    appointments = appointment_rows(start, end, practitioner, setup)
    hours = [h for h in setup.hours if h.practitioner_id == practitioner.pk]
    closures = list(
        Closure.objects.filter(starts_at__lt=end, ends_at__gt=start).filter(
            Q(practitioner__isnull=True) | Q(practitioner=practitioner)
        )
    )
    reading = CardReading(appointments, now, setup)
    columns = {
        day: Column(
            key=day.isoformat(), title=day.strftime("%a"), subtitle=day.isoformat(), date=day, practitioner=practitioner
        )
        for day in days
    }
    pending, spans = [], []
    for appointment in appointments:
        day = local_date(appointment.start)
        if day not in columns:
            continue
        item, s, e = card_item(appointment, day, reading)
        pending.append((columns[day], item, s, e))
    for block in hours:
        for day, column in columns.items():
            if block.on(day):
                spans.append((column, "open", minute_of(block.start), minute_of(block.end), block.location_name))
    locations = {h.location_id for h in hours} | {a.location_id for a in appointments}
    for closure in closures:
        if not closure_applies(closure, practitioner.pk, locations):
            continue
        for day, column in columns.items():
            s, e, label = closure_span(closure, day)
            if e > 0 and s < 24 * 60 and e > s:
                spans.append((column, "closed", s, e, label))
    mark_covered(pending, closures, setup, now)
    grid = grid_finish(list(columns.values()), pending, spans)
    return WeekCalendar(practitioner=practitioner, first_day=first_day, grid=grid)
