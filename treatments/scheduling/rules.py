"""The series rules, each written once: pure functions over plain values (no ORM), like the planner.
The planner, the move and cancel services, the waitlist, the series, patient and calendar pages and
the patient's own rescheduling all ask here, so they cannot disagree. Dates are local dates in the
clinic zone; datetimes are aware. STABLE API:

- `Window(target, earliest, latest)`: the local dates a session may take; `target` is the day the
  protocol's spacing points at (None when no neighbour sets one).
- Windows: `step_window(previous, interval_days, before_days, after_days, zone)` (where the session
  after `previous` belongs), `window_after(previous_session, rhythm, zone)`, `neighbour_window(...)`
  (between both neighbours' windows; None: no date), `from_day(window, first)`,
  `allowed_window(session=, siblings=, rhythm=, zone=, today=, shift_later=)` (where a series
  session may move: its nearest LIVE siblings; with `shift_later` only the previous one; never
  before `today`), `replan_window(...)` (the next session after a cancelled one).
- `spacing(sessions=, rhythm=, zone=)` -> {step: SpacingNote}: "ok" on target, "warning" inside the
  window, "error" outside, with the desk's `text`; `spacing_note(...)` for one.
- Words: `date_span(first, last)` -> "10–20 May"; `window_text(window, framed=)`; `as_sentence`.
- The one time grid: `grid_step()` (SCHEDULING_GRID_MINUTES from local midnight), `on_grid(moment,
  zone=, step=, up=)`, `offer_step()` (every third step: what a patient picks from).
- How far ahead: `HORIZON_DAYS`, `offer_last(window, first)`; `plan_reach(first, intervals, count,
  after_days)`, the last day a plan can reach.
- Sessions: `session_limit(plan)` (None: as needed), `too_many_sessions(plan, count)`,
  `is_optional_step(plan, step)`; `session_step(session)`, `series_protocol(session)`.
- `type_times(kind)` -> a type's duration and buffer; `reminder_moment(start, clinic)`;
  `worth_telling(moments, clinic, now, told)`: whether a change notice is worth sending.
The shapes below say what a rule reads: a `Rhythm` is a `Protocol` row, a `Session` an `Appointment`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal, cast
from typing import Protocol as Shape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinic.localtime import local_date, local_datetime, local_shift


class Rhythm(Shape):
    window_before_days: int
    window_after_days: int

    def interval_after(self, step: int) -> int: ...


class Session(Shape):
    # Nullable on Appointment (a standalone appointment has no step), typed loosely here: only the
    # sessions of a series, whose step is set, reach these rules.
    series_step: Any
    start: dt.datetime

    @property
    def is_live(self) -> bool: ...


class InSeries(Shape):
    series_step: int | None
    series: Any


class ReminderSetting(Shape):
    reminder_hours: int


class Timed(Shape):
    duration_minutes: int
    buffer_minutes: int


class SessionPlan(Shape):
    required_sessions: int
    optional_sessions: int
    as_needed: bool


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


def short_day(day: dt.date) -> str:
    return date_format(day, "D j M")


def date_span(first: dt.date, last: dt.date) -> str:
    """ "10–20 May", "28 Apr–3 May", "12 May"."""
    if first == last:
        return date_format(first, "j M")
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{date_format(last, 'j M')}"
    return f"{date_format(first, 'j M')}–{date_format(last, 'j M')}"


def window_text(window: Window, *, framed: bool = True) -> str:
    """A window in words. Framed, for "must fall ...": "between 3–9 May", "on or before 9 May",
    "on or after 3 May"; bare, for "a day in ...": "3–9 May", "from 3 May"."""
    if window.has_earliest and window.has_latest:
        span = date_span(window.earliest, window.latest)
        return _("between %(span)s") % {"span": span} if framed else span
    if window.has_latest:
        return _("on or before %(day)s") % {"day": date_span(window.latest, window.latest)}
    day = date_span(window.earliest, window.earliest)
    return _("on or after %(day)s") % {"day": day} if framed else _("from %(day)s") % {"day": day}


def type_times(kind: Timed) -> tuple[dt.timedelta, dt.timedelta]:
    """An appointment type's duration and the buffer kept free after it."""
    return dt.timedelta(minutes=kind.duration_minutes), dt.timedelta(minutes=kind.buffer_minutes)


def as_sentence(clause: str) -> str:
    """An availability clause ("that time is already booked") as a sentence the desk reads."""
    clause = capfirst(clause.strip())
    return clause if clause.endswith((".", "!", "?")) else clause + "."


def grid_step() -> dt.timedelta:
    """The clinic's time grid: proposals read 09:00, 09:05, never 09:03."""
    return dt.timedelta(minutes=settings.SCHEDULING_GRID_MINUTES)


def on_grid(moment: dt.datetime, *, zone: ZoneInfo, step: dt.timedelta | None = None, up: bool = True) -> dt.datetime:
    """`moment` snapped onto the grid counted from its local midnight: the next point at or after it
    (`up`), else the last one at or before it. `step` a multiple of the grid (online booking's)."""
    step = step or grid_step()
    midnight = local_datetime(local_date(moment, zone), dt.time(0, 0), zone)
    offset = (moment - midnight) % step
    if not offset:
        return moment
    return moment + (step - offset) if up else moment - offset


# A patient picking a time (online booking, the portal's self-move) is offered every third step of
# the grid: 15 minutes on the default 5-minute grid.
OFFER_GRID_STEPS = 3


def offer_step() -> dt.timedelta:
    return grid_step() * OFFER_GRID_STEPS


# An open-ended window (a last session, or a standalone appointment) is offered this many days ahead.
HORIZON_DAYS = 14


def offer_last(window: Window | None, first: dt.date) -> dt.date:
    """The last day offered from `first`: the window's own end, or HORIZON_DAYS on when it has none."""
    if window is not None and window.has_latest:
        return window.latest
    return first + dt.timedelta(days=HORIZON_DAYS)


def session_limit(plan: SessionPlan) -> int | None:
    """The most sessions a protocol's series may have: required + optional; None when as needed."""
    return None if plan.as_needed else plan.required_sessions + plan.optional_sessions


def is_optional_step(plan: SessionPlan, step: int) -> bool:
    """A session past the protocol's required ones is optional."""
    return step > plan.required_sessions


def too_many_sessions(plan: SessionPlan, count: int) -> str:
    """The refusal when a series would have `count` sessions, over the protocol's limit; "" when not."""
    limit = session_limit(plan)
    if limit is None or count <= limit:
        return ""
    return _("This protocol has at most %(n)d sessions.") % {"n": limit}


def session_step(session: InSeries) -> int:
    """A series session's number (a standalone appointment has none and never gets here)."""
    if session.series_step is None:
        raise ValueError("Not a session of a series.")
    return session.series_step


def series_protocol(session: InSeries) -> Rhythm:
    """The rhythm (the protocol) of the series a session belongs to."""
    if session.series is None:
        raise ValueError("Not a session of a series.")
    return cast(Rhythm, session.series.protocol)


def plan_reach(first: dt.date, intervals: list[int], count: int, after_days: int) -> dt.date:
    """The last local day a plan of `count` sessions from `first` can reach, every session pushed
    to the end of its window (and a day to spare): how far ahead availability is read."""
    return first + dt.timedelta(days=sum(intervals) + count * after_days + 1)


# --- The window a session may take ------------------------------------------------------------


def step_window(previous: dt.datetime, interval_days: int, before_days: int, after_days: int, zone: ZoneInfo) -> Window:
    # Counted in local days: a session at 23:30 belongs to its local date, whatever UTC says.
    target = local_date(previous, zone) + dt.timedelta(days=interval_days)
    return Window(target, target - dt.timedelta(days=before_days), target + dt.timedelta(days=after_days))


def window_after(previous: Session, rhythm: Rhythm, zone: ZoneInfo) -> Window:
    """Where the next live session belongs after `previous`, by the protocol's spacing."""
    return step_window(
        previous.start,
        rhythm.interval_after(previous.series_step),
        rhythm.window_before_days,
        rhythm.window_after_days,
        zone,
    )


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


def from_day(window: Window | None, first: dt.date) -> Window | None:
    """The part of a window from `first` on (a move into the past is refused anyway), or None."""
    if window is None or window.earliest >= first:
        return window
    if window.latest < first:
        return None
    target = window.target if window.target and window.target >= first else None
    return Window(target, first, window.latest)


def _live_neighbours(step: int, siblings: Iterable[Session]) -> tuple[Session | None, Session | None]:
    # A cancelled or missed session holds no place in the rhythm: the nearest live ones do.
    live = sorted((s for s in siblings if s.is_live and s.series_step != step), key=lambda s: s.series_step)
    before = [s for s in live if s.series_step < step]
    after = [s for s in live if s.series_step > step]
    return (before[-1] if before else None), (after[0] if after else None)


def allowed_window(
    *,
    session: Session,
    siblings: Iterable[Session],
    rhythm: Rhythm,
    zone: ZoneInfo,
    today: dt.date,
    shift_later: bool = False,
) -> Window | None:
    """Where a series session may move: the window its previous live session sets, narrowed so the
    next live session stays inside the window the moved one sets (unless the later ones shift with
    it), from `today` on. None: no date at all."""
    previous, following = _live_neighbours(session.series_step, siblings)
    if shift_later:
        following = None
    window = neighbour_window(
        previous=previous.start if previous else None,
        next_=following.start if following else None,
        interval_before=rhythm.interval_after(previous.series_step) if previous else None,
        interval_after=rhythm.interval_after(session.series_step),
        before_days=rhythm.window_before_days,
        after_days=rhythm.window_after_days,
        zone=zone,
    )
    return from_day(window, today)


def replan_window(
    *, previous: Session, cancelled_day: dt.date, today: dt.date, rhythm: Rhythm, zone: ZoneInfo
) -> Window | None:
    """The next session takes the cancelled one's place in the rhythm: inside the window `previous`
    sets, but after the cancelled day (that day did not suit) and not before tomorrow."""
    return from_day(window_after(previous, rhythm, zone), max(today, cancelled_day) + dt.timedelta(days=1))


# --- Spacing against the protocol -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpacingNote:
    step: int
    previous_step: int
    days: int  # local days from the previous live session
    target: int  # the protocol's days
    shortest: int  # the allowed window, in days after the previous session
    longest: int

    @property
    def level(self) -> Literal["ok", "warning", "error"]:
        if self.days == self.target:
            return "ok"
        return "warning" if self.shortest <= self.days <= self.longest else "error"

    @property
    def ok(self) -> bool:
        return self.level == "ok"

    @property
    def text(self) -> str:
        spaced = ngettext(
            "%(days)d day after session %(previous)d; protocol: %(target)d",
            "%(days)d days after session %(previous)d; protocol: %(target)d",
            self.days,
        ) % {"days": self.days, "previous": self.previous_step, "target": self.target}
        if self.level != "error":
            return spaced
        return _("%(spaced)s — outside the allowed %(shortest)d–%(longest)d days") % {
            "spaced": spaced,
            "shortest": self.shortest,
            "longest": self.longest,
        }


def spacing_note(
    *,
    previous: dt.datetime,
    previous_step: int,
    start: dt.datetime,
    step: int,
    interval: int,
    before_days: int,
    after_days: int,
    zone: ZoneInfo,
) -> SpacingNote:
    """One session against the one before it; the allowed days are those of `step_window`."""
    return SpacingNote(
        step=step,
        previous_step=previous_step,
        days=(local_date(start, zone) - local_date(previous, zone)).days,
        target=interval,
        shortest=interval - before_days,
        longest=interval + after_days,
    )


def spacing(*, sessions: Iterable[Session], rhythm: Rhythm, zone: ZoneInfo) -> dict[int, SpacingNote]:
    """Every live session after the first, by step, against the live session before it."""
    live = sorted((s for s in sessions if s.is_live), key=lambda s: s.series_step)
    return {
        current.series_step: spacing_note(
            previous=previous.start,
            previous_step=previous.series_step,
            start=current.start,
            step=current.series_step,
            interval=rhythm.interval_after(previous.series_step),
            before_days=rhythm.window_before_days,
            after_days=rhythm.window_after_days,
            zone=zone,
        )
        for previous, current in pairwise(live)
    }


def reminder_moment(start: dt.datetime, clinic: ReminderSetting) -> dt.datetime:
    """When the reminder before a session is due: `reminder_hours` before it on the clinic's wall
    clock, as a patient means "the day before" (messaging plans it; `worth_telling` reads it)."""
    return local_shift(start, -dt.timedelta(hours=clinic.reminder_hours))


def worth_telling(
    moments: Iterable[dt.datetime], clinic: ReminderSetting, now: dt.datetime, told: Callable[[], bool]
) -> bool:
    """A change notice is worth sending when a time it names is ahead and its reminder already due,
    or the patient was told the old time (`told`, asked only then); else the reminder tells it."""
    return any(m > now and reminder_moment(m, clinic) <= now for m in moments) or told()
