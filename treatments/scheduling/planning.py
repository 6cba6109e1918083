"""The series planner: pure functions over plain values (see ARCHITECTURE.md "Where logic lives").

STABLE API:

- `step_window(previous, interval_days, before_days, after_days, zone)` -> `Window(target,
  earliest, latest)` local dates for the session after `previous`.
- `plan_series(first=, intervals=, before_days=, after_days=, duration=, buffer=, availability=,
  labels=)` -> list[Proposal]: session 1 at `first`, each next one at the target spacing from the
  one before, inside its window, preferring the same weekday and local time, then the nearest time
  that day, then the nearest day in the window (same weekday favoured). A session that cannot be
  placed has `start=None` and a `problem` naming the session and why.
- `check_proposals(starts=, ...)` -> list[Proposal]: re-check a desk-edited plan (window against
  the previous session, availability, and no two sessions of the plan overlapping).
- `neighbour_window(previous=, next_=, interval_before=, interval_after=, ...)` -> Window | None:
  the local dates a session may move to so both neighbours stay inside their windows.
- `suggest_starts(first=, last=, preferred=, duration=, buffer=, availability=, not_before=,
  limit=)` -> list[datetime]: one free start per day nearest the preferred local time.

`intervals[i]` is the number of days from session i+1 to session i+2 (Protocol.interval_after).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from treatments.scheduling.availability import Availability, Busy, local_date, local_datetime


@dataclass(frozen=True, slots=True)
class Window:
    target: dt.date | None
    earliest: dt.date
    latest: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.earliest <= day <= self.latest

    # A first session has no previous one and a last none after it: open-ended sides.
    @property
    def has_earliest(self) -> bool:
        return self.earliest != dt.date.min

    @property
    def has_latest(self) -> bool:
        return self.latest != dt.date.max


@dataclass(frozen=True, slots=True)
class Proposal:
    step: int
    start: dt.datetime | None
    end: dt.datetime | None
    window: Window | None  # None for the first session: it is the anchor.
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.start is not None and not self.problem


def _short(day: dt.date) -> str:
    return date_format(day, "j M")


def step_window(previous: dt.datetime, interval_days: int, before_days: int, after_days: int, zone: ZoneInfo) -> Window:
    target = local_date(previous, zone) + dt.timedelta(days=interval_days)
    return Window(target, target - dt.timedelta(days=before_days), target + dt.timedelta(days=after_days))


def _candidate_days(window: Window, weekday: int) -> list[dt.date]:
    """The target day first, then the rest by distance, a day on the preferred weekday counting
    as three days nearer (so a Tuesday patient stays on Tuesdays when the target is a Friday)."""
    days = []
    day = window.earliest
    while day <= window.latest:
        days.append(day)
        day += dt.timedelta(days=1)
    target = window.target or window.earliest

    def key(d: dt.date) -> tuple[int, int, dt.date]:
        distance = abs((d - target).days)
        bonus = 3 if d.weekday() == weekday else 0
        return (0 if d == target else 1, distance - bonus, distance, d)

    return sorted(days, key=key)


def _why_nothing(step: int, window: Window, duration: dt.timedelta, availability: Availability) -> str:
    minutes = int(duration.total_seconds() // 60)
    base = _("Session %(step)d: no free %(minutes)d-minute slot between %(first)s and %(last)s") % {
        "step": step,
        "minutes": minutes,
        "first": _short(window.earliest),
        "last": _short(window.latest),
    }
    reasons = [c.label for c in availability.closures_between(window.earliest, window.latest) if c.label]
    if not reasons:
        day = window.earliest
        works = False
        while day <= window.latest and not works:
            works = availability.works_on(day)
            day += dt.timedelta(days=1)
        reasons = [_("the practitioner has no working hours at this location then")] if not works else []
    if not reasons:
        reasons = [_("the practitioner's hours are fully booked")]
    return f"{base} — {'; '.join(dict.fromkeys(reasons))}."


def place(
    *,
    step: int,
    window: Window,
    preferred: dt.time,
    weekday: int,
    duration: dt.timedelta,
    buffer: dt.timedelta,
    availability: Availability,
) -> Proposal:
    """One session inside its window, or a Proposal saying why not."""
    for day in _candidate_days(window, weekday):
        start = availability.nearest_start(day, preferred, duration, buffer)
        if start is not None:
            return Proposal(step, start, start + duration, window)
    return Proposal(step, None, None, window, _why_nothing(step, window, duration, availability))


def plan_series(
    *,
    first: dt.datetime,
    intervals: list[int],
    count: int,
    before_days: int,
    after_days: int,
    duration: dt.timedelta,
    buffer: dt.timedelta,
    availability: Availability,
    first_step: int = 1,
) -> list[Proposal]:
    """Propose `count` sessions, the first at `first` (checked, not moved). Sessions are spaced
    from the one actually proposed before them, so one pushed late does not squeeze the next."""
    zone = availability.zone
    local_first = first.astimezone(zone)
    preferred, weekday = local_first.timetz().replace(tzinfo=None), local_first.weekday()
    problem = availability.problem(first, first + duration, buffer=buffer)
    proposals = [
        Proposal(
            first_step,
            first,
            first + duration,
            None,
            _("Session %(step)d: %(problem)s") % {"step": first_step, "problem": problem} if problem else "",
        )
    ]
    # Later sessions are placed around the sessions already proposed, without rebuilding the
    # whole availability: a plan holds a handful of sessions.
    placed = [(first, first + duration + buffer)]
    anchor = first
    for i in range(1, count):
        step = first_step + i
        window = step_window(anchor, intervals[i - 1], before_days, after_days, zone)
        proposal = _place_avoiding(step, window, preferred, weekday, duration, buffer, availability, placed)
        proposals.append(proposal)
        if proposal.start is not None:
            placed.append((proposal.start, proposal.start + duration + buffer))
            anchor = proposal.start
        else:
            # Keep planning the rest from where this one should have been.
            anchor = local_datetime(window.target, preferred, zone)
    return proposals


def _place_avoiding(step, window, preferred, weekday, duration, buffer, availability, placed) -> Proposal:
    if not any(window.earliest <= local_date(s, availability.zone) <= window.latest for s, _e in placed):
        return place(
            step=step,
            window=window,
            preferred=preferred,
            weekday=weekday,
            duration=duration,
            buffer=buffer,
            availability=availability,
        )
    extra = [Busy(s - buffer, e, _("another session of this plan")) for s, e in placed]
    widened = Availability(
        zone=availability.zone,
        blocks=availability.blocks,
        closures=availability.closures,
        bookings=[*availability.bookings, *extra],
        outside_hours_label=availability.outside_hours_label,
    )
    return place(
        step=step,
        window=window,
        preferred=preferred,
        weekday=weekday,
        duration=duration,
        buffer=buffer,
        availability=widened,
    )


def check_proposals(
    *,
    starts: list[dt.datetime],
    intervals: list[int],
    before_days: int,
    after_days: int,
    duration: dt.timedelta,
    buffer: dt.timedelta,
    availability: Availability,
    now: dt.datetime,
    first_step: int = 1,
) -> list[Proposal]:
    """Re-check a plan the desk edited: each session in the future, in order, inside the window
    its previous session sets, free in the availability, and clear of the plan's other sessions."""
    zone = availability.zone
    out: list[Proposal] = []
    for i, start in enumerate(starts):
        step = first_step + i
        end = start + duration
        window = None
        problem = None
        if start <= now:
            problem = _("that time is in the past")
        if i > 0:
            window = step_window(starts[i - 1], intervals[i - 1], before_days, after_days, zone)
            if problem is None and not window.contains(local_date(start, zone)):
                problem = _("it must fall between %(first)s and %(last)s (%(days)d days after session %(prev)d)") % {
                    "first": _short(window.earliest),
                    "last": _short(window.latest),
                    "days": intervals[i - 1],
                    "prev": step - 1,
                }
        if problem is None:
            problem = availability.problem(start, end, buffer=buffer)
        if problem is None:
            for j, other in enumerate(starts):
                if j != i and other < end + buffer and start < other + duration + buffer:
                    problem = _("it overlaps session %(other)d of this plan") % {"other": first_step + j}
                    break
        message = _("Session %(step)d: %(problem)s") % {"step": step, "problem": problem} if problem else ""
        out.append(Proposal(step, start, end, window, message))
    return out


def neighbour_window(
    *,
    previous: dt.datetime | None,
    next_: dt.datetime | None,
    interval_before: int | None,
    interval_after: int | None,
    before_days: int,
    after_days: int,
    zone: ZoneInfo,
) -> Window | None:
    """The local dates a session may move to so that it stays inside the window its previous
    session sets and the next session stays inside the window it sets. None: no such date."""
    earliest, latest, target = dt.date.min, dt.date.max, None
    if previous is not None and interval_before is not None:
        w = step_window(previous, interval_before, before_days, after_days, zone)
        earliest, latest, target = w.earliest, w.latest, w.target
    if next_ is not None and interval_after is not None:
        nxt = local_date(next_, zone)
        earliest = max(earliest, nxt - dt.timedelta(days=interval_after + after_days))
        latest = min(latest, nxt - dt.timedelta(days=interval_after - before_days))
    if earliest > latest:
        return None
    if target is not None and not (earliest <= target <= latest):
        target = None
    return Window(target, earliest, latest)


def suggest_starts(
    *,
    first: dt.date,
    last: dt.date,
    preferred: dt.time,
    duration: dt.timedelta,
    buffer: dt.timedelta,
    availability: Availability,
    not_before: dt.datetime | None = None,
    limit: int = 6,
) -> list[dt.datetime]:
    """Up to `limit` free starts, one per day from `first` to `last`, each the nearest to the
    preferred local time (for "move to..." suggestions and "find the next free slot")."""
    out: list[dt.datetime] = []
    day = first
    while day <= last and len(out) < limit:
        start = availability.nearest_start(day, preferred, duration, buffer)
        if start is not None and (not_before is None or start > not_before):
            out.append(start)
        day += dt.timedelta(days=1)
    return out
