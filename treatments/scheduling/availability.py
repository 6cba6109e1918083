"""When a practitioner can be booked: pure code over plain values (no ORM), so the planner is fast
and tested without a database.

STABLE API (the calendar helper's "next free slot" and the waitlist use it):

- `WeeklyBlock(weekday, start, end)`: one block of working hours, wall-clock in the clinic zone
  (weekday 0 = Monday). Several blocks a day make breaks.
- `DatedBlock(date, start, end)`: working time on one local date besides the week's (a Saturday
  worked once: clinic.models.DatedHours). It adds time; closures still win.
- `Busy(start, end, label)`: time nobody may book, in UTC. `label` is the user-facing reason
  ("Dr X is away 10-20 May", "Dr X already has an appointment then"); labels are clauses
  (lower-case, no full stop) so callers can write "Session 3: <label>." or "<Label>." A closure's
  `reason` is the same without its dates ("clinic closed — Spring holiday").
- `Availability(zone=, blocks=, closures=, bookings=, dated=)`: everything for one practitioner at
  one location (and one patient). Bookings should already include their type's buffer at the end.
  Rebuild one with `dataclasses.replace` so nothing (the dated blocks) is left behind.
  - `working(day)` -> the day's working intervals in UTC (DST-safe: 09:00 local stays 09:00): the
    week's blocks of its weekday and the dated blocks of that date — the one "is it inside the
    hours" rule (`problem`, `free_starts` and the planner read it).
  - `problem(start, end, buffer=)` -> None when [start, end) can be booked with `buffer` kept
    free after it, else the first reason it cannot.
  - `free_starts(day, duration, buffer)` -> the ranges of possible start times that day.
  - `starts_on(day, duration, buffer, step=, not_before=)` -> every free start that day on a
    grid of `step` (`rules.offer_step()`, 15 minutes) from local midnight: the portal's and online
    booking's times to pick from.
  - `nearest_start(day, preferred, duration, buffer, step=)` -> the free start closest to the
    preferred local time that day, or None.
  - `closures_between(first, last)` -> the closures touching those local dates.
- `blocked_reason(day=, preferred=, duration=, buffer=, availability=)` -> str: why a day cannot
  take the session ("" when it can): no working hours, a closure or leave, fully booked.
- `off_target_note(target, placed, reason)` -> "Mon 29 Mar: clinic closed — Spring holiday; moved
  to Tue 30 Mar".
- `why_no_slot(step, window, duration, availability)` -> the sentence when a whole window is full.

The clinic's one time grid (`grid_step`, `on_grid`, `offer_step`) is a rule: rules.py.

All datetimes are timezone-aware; intervals are half-open [start, end), so back-to-back is fine.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clinic.localtime import local_date, local_datetime
from treatments.scheduling.rules import Window, offer_step, on_grid, short_day

UTC = dt.UTC


@dataclass(frozen=True, slots=True)
class WeeklyBlock:
    weekday: int
    start: dt.time
    end: dt.time


@dataclass(frozen=True, slots=True)
class DatedBlock:
    date: dt.date
    start: dt.time
    end: dt.time


@dataclass(frozen=True, slots=True)
class Busy:
    start: dt.datetime
    end: dt.datetime
    label: str = ""
    # The label without its dates, for a sentence that names the day already
    # ("Mon 29 Mar: clinic closed — Spring holiday; moved to Tue 30 Mar").
    reason: str = ""


@dataclass(frozen=True, slots=True)
class StartRange:
    """Every start in [first, last] (inclusive) is free for the asked duration and buffer."""

    first: dt.datetime
    last: dt.datetime


class _Sorted:
    """Busy intervals sorted by start, with the longest length, so an overlap test is a bisect."""

    def __init__(self, items: list[Busy]):
        self.items = sorted(items, key=lambda b: (b.start, b.end))
        self.starts = [b.start for b in self.items]
        self.longest = max((b.end - b.start for b in self.items), default=dt.timedelta(0))

    def overlapping(self, start: dt.datetime, end: dt.datetime) -> list[Busy]:
        lo = bisect_left(self.starts, start - self.longest)
        hi = bisect_left(self.starts, end)
        return [b for b in self.items[lo:hi] if b.start < end and start < b.end]

    def first_overlapping(self, start: dt.datetime, end: dt.datetime) -> Busy | None:
        lo = bisect_left(self.starts, start - self.longest)
        hi = bisect_left(self.starts, end)
        for b in self.items[lo:hi]:
            if b.start < end and start < b.end:
                return b
        return None


@dataclass
class Availability:
    zone: ZoneInfo
    blocks: list[WeeklyBlock]
    closures: list[Busy] = field(default_factory=list)
    bookings: list[Busy] = field(default_factory=list)
    # Shown when a slot is outside every block ("outside Dr X's hours at Main Street").
    outside_hours_label: str = ""
    # Extra working time on single dates (besides the week's blocks).
    dated: list[DatedBlock] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_weekday: dict[int, list[tuple[dt.time, dt.time]]] = {}
        for block in self.blocks:
            self._by_weekday.setdefault(block.weekday, []).append((block.start, block.end))
        self._by_date: dict[dt.date, list[tuple[dt.time, dt.time]]] = {}
        for extra in self.dated:
            self._by_date.setdefault(extra.date, []).append((extra.start, extra.end))
        self._closures = _Sorted(self.closures)
        self._bookings = _Sorted(self.bookings)

    def _blocks_on(self, day: dt.date) -> list[tuple[dt.time, dt.time]]:
        """The day's blocks, in order, touching blocks joined (a dated block may extend the week's:
        09:00-17:00 and 17:00-20:00 is one working stretch to 20:00)."""
        blocks = sorted([*self._by_weekday.get(day.weekday(), []), *self._by_date.get(day, [])])
        joined: list[tuple[dt.time, dt.time]] = []
        for start, end in blocks:
            if joined and start <= joined[-1][1]:
                joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
            else:
                joined.append((start, end))
        return joined

    def working(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        blocks = self._blocks_on(day)
        return [(local_datetime(day, start, self.zone), local_datetime(day, end, self.zone)) for start, end in blocks]

    def works_on(self, day: dt.date) -> bool:
        return day.weekday() in self._by_weekday or day in self._by_date

    def problem(self, start: dt.datetime, end: dt.datetime, *, buffer: dt.timedelta = dt.timedelta(0)) -> str | None:
        if end <= start:
            return _("the end must be after the start")
        day = local_date(start, self.zone)
        if not any(ws <= start and end <= we for ws, we in self.working(day)):
            return self.outside_hours_label or _("that time is outside the practitioner's working hours")
        closure = self._closures.first_overlapping(start, end)
        if closure is not None:
            return closure.label or _("the clinic is closed then")
        booking = self._bookings.first_overlapping(start, end + buffer)
        if booking is not None:
            return booking.label or _("that time is already booked")
        return None

    def free_starts(self, day: dt.date, duration: dt.timedelta, buffer: dt.timedelta) -> list[StartRange]:
        ranges: list[StartRange] = []
        for ws, we in self.working(day):
            # Everything that blocks some part of this block: closures cover the appointment
            # itself, bookings also its buffer (they already carry their own buffer).
            blockers = [(b.start, b.end) for b in self._closures.overlapping(ws, we)]
            blockers += [(b.start - buffer, b.end) for b in self._bookings.overlapping(ws, we + buffer)]
            blockers.sort()
            cursor = ws
            for bs, be in [*blockers, (we, we)]:
                gap_end = min(bs, we)
                if gap_end - cursor >= duration:
                    ranges.append(StartRange(cursor, gap_end - duration))
                cursor = max(cursor, be)
                if cursor >= we:
                    break
        return ranges

    def starts_on(
        self,
        day: dt.date,
        duration: dt.timedelta,
        buffer: dt.timedelta,
        *,
        step: dt.timedelta | None = None,
        not_before: dt.datetime | None = None,
    ) -> list[dt.datetime]:
        """Every free start that day on a grid of `step` (default `offer_step()`: 09:00, 09:15,
        ...) counted from local midnight, none before `not_before`: the times a patient picks from."""
        step = step or offer_step()
        out: list[dt.datetime] = []
        for r in self.free_starts(day, duration, buffer):
            start = on_grid(r.first if not_before is None else max(r.first, not_before), zone=self.zone, step=step)
            while start <= r.last:
                out.append(start)
                start += step
        return out

    def nearest_start(
        self,
        day: dt.date,
        preferred: dt.time,
        duration: dt.timedelta,
        buffer: dt.timedelta,
        *,
        step: dt.timedelta | None = None,
    ) -> dt.datetime | None:
        """The free start that day closest to the preferred wall-clock time, on the clinic's grid
        (`on_grid`; `step` overrides it)."""
        ranges = self.free_starts(day, duration, buffer)
        want = local_datetime(day, preferred, self.zone)
        best: dt.datetime | None = None
        for r in ranges:
            if r.first <= want <= r.last:
                return want
            # The range's nearer end, snapped onto the grid inward, staying inside the range.
            later = want < r.first
            candidate = on_grid(r.first if later else r.last, zone=self.zone, step=step, up=later)
            if not (r.first <= candidate <= r.last):
                continue
            if best is None or abs(candidate - want) < abs(best - want):
                best = candidate
        return best

    def closures_between(self, first: dt.date, last: dt.date) -> list[Busy]:
        start = local_datetime(first, dt.time(0, 0), self.zone)
        end = local_datetime(last + dt.timedelta(days=1), dt.time(0, 0), self.zone)
        return self._closures.overlapping(start, end)


# --- Why a day, or a whole window, cannot take a session (what the planner and the portal say) --


def blocked_reason(
    *, day: dt.date, preferred: dt.time, duration: dt.timedelta, buffer: dt.timedelta, availability: Availability
) -> str:
    """Why `day` cannot take the session, as a clause; "" when it has a free start."""
    if availability.nearest_start(day, preferred, duration, buffer) is not None:
        return ""
    if not availability.works_on(day):
        return _("no working hours that day")
    closures = availability.closures_between(day, day)
    if closures:
        return closures[0].reason or closures[0].label or _("closed")
    return _("fully booked")


def off_target_note(target: dt.date, placed: dt.date, reason: str) -> str:
    return _("%(target)s: %(reason)s; moved to %(placed)s") % {
        "target": short_day(target),
        "reason": reason,
        "placed": short_day(placed),
    }


def why_no_slot(step: int, window: Window, duration: dt.timedelta, availability: Availability) -> str:
    """The sentence when no day of a window can take session `step`: the closures and leave in it,
    else that nobody works then, else that it is fully booked."""
    minutes = int(duration.total_seconds() // 60)
    base = _("Session %(step)d: no free %(minutes)d-minute slot between %(first)s and %(last)s") % {
        "step": step,
        "minutes": minutes,
        "first": date_format(window.earliest, "j M"),
        "last": date_format(window.latest, "j M"),
    }
    reasons = [c.label for c in availability.closures_between(window.earliest, window.latest) if c.label]
    if not reasons:
        days = (window.earliest + dt.timedelta(days=n) for n in range((window.latest - window.earliest).days + 1))
        if not any(availability.works_on(day) for day in days):
            reasons = [_("the practitioner has no working hours at this location then")]
    if not reasons:
        reasons = [_("the practitioner's hours are fully booked")]
    return f"{base} — {'; '.join(dict.fromkeys(reasons))}."
