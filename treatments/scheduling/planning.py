"""The series planner: pure functions over plain values (see docs/architecture.md "Where the logic lives").
The rules it plans by (windows, spacing, the time grid, how far a plan reaches) are in rules.py; why a day or a window
cannot take a session is availability's own answer (availability.py: `blocked_reason`,
`off_target_note`, `why_no_slot`).

STABLE API:

- `plan_series(first=, intervals=, before_days=, after_days=, duration=, buffer=, availability=,
  labels=)` -> list[Proposal]: session 1 at `first`, each next one at the target spacing from the
  one before, inside its window, preferring the same weekday and local time, then the nearest time
  that day, then the nearest day in the window (same weekday favoured). A session that cannot be
  placed has `start=None` and a `problem` naming the session and why; one placed off its target
  day has a `note` saying why ("Mon 29 Mar: clinic closed — Spring holiday; moved to Tue 30 Mar").
- `check_proposals(starts=, ...)` -> list[Proposal]: re-check a desk-edited plan (window against
  the previous session, availability, and no two sessions of the plan overlapping); a session off
  its target day gets a `note` too (what blocks the target day, or the spacing in days).
- `place(step=, window=, ..., placed=)` -> Proposal: one session inside a window, clear of the
  plan's sessions already `placed`.
- `candidate_days(window, weekday)` -> the days of a window in the order the planner tries them.
- `day_starts(first=, last=, preferred=, duration=, buffer=, availability=)` -> each day with its
  free start nearest the preferred local time, or None (the portal's offers read it whole).
- `suggest_starts(first=, last=, preferred=, duration=, buffer=, availability=, not_before=,
  limit=)` -> list[datetime]: one free start per day nearest the preferred local time.

`intervals[i]` is the number of days from session i+1 to session i+2 (Protocol.interval_after).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clinic.localtime import local_date, local_datetime, to_local
from treatments.scheduling.availability import Availability, Busy, blocked_reason, off_target_note, why_no_slot
from treatments.scheduling.rules import Window, spacing_note, step_window


@dataclass(frozen=True, slots=True)
class Proposal:
    step: int
    start: dt.datetime | None
    end: dt.datetime | None
    window: Window | None  # None for the first session: it is the anchor.
    problem: str = ""
    # Why a session sits off its target day, in words the desk sees; "" when it is on target.
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.start is not None and not self.problem


def candidate_days(window: Window, weekday: int) -> list[dt.date]:
    """The target day first, then the rest by distance, a day on the preferred weekday counting
    as three days nearer (so a Tuesday patient stays on Tuesdays when the target is a Friday)."""
    days = []
    day = window.earliest
    while day <= window.latest:
        days.append(day)
        day += dt.timedelta(days=1)
    target = window.target or window.earliest

    def key(d: dt.date) -> tuple[int, int, int, dt.date]:
        distance = abs((d - target).days)
        bonus = 3 if d.weekday() == weekday else 0
        return (0 if d == target else 1, distance - bonus, distance, d)

    return sorted(days, key=key)


def place(
    *,
    step: int,
    window: Window,
    preferred: dt.time,
    weekday: int,
    duration: dt.timedelta,
    buffer: dt.timedelta,
    availability: Availability,
    placed: Sequence[tuple[dt.datetime, dt.datetime]] = (),
) -> Proposal:
    """One session inside its window, or a Proposal saying why not; `placed` (start, end + buffer)
    are the plan's sessions proposed so far, which it keeps clear of."""
    days = candidate_days(window, weekday)
    availability = _with_placed(availability, window, buffer, placed)
    for day in days:
        start = availability.nearest_start(day, preferred, duration, buffer)
        if start is not None:
            note = ""
            if window.target is not None and day != window.target:
                reason = blocked_reason(
                    day=window.target, preferred=preferred, duration=duration, buffer=buffer, availability=availability
                )
                note = off_target_note(window.target, day, reason)
            return Proposal(step, start, start + duration, window, note=note)
    return Proposal(step, None, None, window, why_no_slot(step, window, duration, availability))


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
    local_first = to_local(first, zone)
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
        proposal = place(
            step=step,
            window=window,
            preferred=preferred,
            weekday=weekday,
            duration=duration,
            buffer=buffer,
            availability=availability,
            placed=placed,
        )
        proposals.append(proposal)
        if proposal.start is not None:
            placed.append((proposal.start, proposal.start + duration + buffer))
            anchor = proposal.start
        else:
            # Keep planning the rest from where this one should have been (a step window always
            # has its target).
            anchor = local_datetime(window.target or window.earliest, preferred, zone)
    return proposals


def _with_placed(
    availability: Availability, window: Window, buffer: dt.timedelta, placed: Sequence[tuple[dt.datetime, dt.datetime]]
) -> Availability:
    """The availability with the plan's own sessions in the window counted as bookings, so two
    sessions never share a slot (dataclasses.replace keeps every other field, the dated hours too)."""
    if not any(window.earliest <= local_date(s, availability.zone) <= window.latest for s, _e in placed):
        return availability
    extra = [Busy(s - buffer, e, _("another session of this plan")) for s, e in placed]
    return replace(availability, bookings=[*availability.bookings, *extra])


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
                    "first": date_format(window.earliest, "j M"),
                    "last": date_format(window.latest, "j M"),
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
        note = ""
        if not problem and window is not None and local_date(start, zone) != window.target:
            note = _edited_note(
                starts[i - 1],
                start,
                step,
                intervals[i - 1],
                window,
                before_days,
                after_days,
                duration=duration,
                buffer=buffer,
                availability=availability,
            )
        out.append(Proposal(step, start, end, window, message, note))
    return out


def _edited_note(
    previous: dt.datetime,
    start: dt.datetime,
    step: int,
    interval: int,
    window: Window,
    before_days: int,
    after_days: int,
    *,
    duration: dt.timedelta,
    buffer: dt.timedelta,
    availability: Availability,
) -> str:
    """Why an edited session is off its target day: what blocks the target day, else (the desk
    chose another day) the spacing it now has."""
    zone = availability.zone
    target = window.target
    if target is None:  # never for a step's window: it always has the day the spacing points at
        return ""
    preferred = to_local(start, zone).time()
    reason = blocked_reason(
        day=target, preferred=preferred, duration=duration, buffer=buffer, availability=availability
    )
    if reason:
        return off_target_note(target, local_date(start, zone), reason)
    return spacing_note(
        previous=previous,
        previous_step=step - 1,
        start=start,
        step=step,
        interval=interval,
        before_days=before_days,
        after_days=after_days,
        zone=zone,
    ).text


def day_starts(
    *,
    first: dt.date,
    last: dt.date,
    preferred: dt.time,
    duration: dt.timedelta,
    buffer: dt.timedelta,
    availability: Availability,
) -> Iterator[tuple[dt.date, dt.datetime | None]]:
    """Each day from `first` to `last` with its free start nearest the preferred local time (None:
    the day has none). Lazy: a caller that has enough stops the scan."""
    day = first
    while day <= last:
        yield day, availability.nearest_start(day, preferred, duration, buffer)
        day += dt.timedelta(days=1)


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
    if limit <= 0:
        return out
    days = day_starts(
        first=first, last=last, preferred=preferred, duration=duration, buffer=buffer, availability=availability
    )
    for _day, start in days:
        if start is not None and (not_before is None or start > not_before):
            out.append(start)
            if len(out) >= limit:
                break
    return out
