"""The desk calendar's grid, shared by the day, the week (selectors/calendar.py) and the week of
every practitioner (selectors/calendar_team.py): the blocks placed on it (hours, closures, cards),
the cards' shared reading (local times, attendance, spacing, worked out once per calendar), the
lanes of overlapping cards, and the window the grid shows.

Positions are grid rows of ROW_MINUTES in the clinic's wall-clock time, rendered as CSS classes
(the Content-Security-Policy forbids inline styles)."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from clinic.localtime import clinic_zone, to_local
from clinic.models import Closure, Practitioner
from patients.selectors import ScreeningFlag, screening_flags
from treatments.models import Appointment
from treatments.scheduling.attendance import may_check_in, may_mark_no_show
from treatments.scheduling.rules import SpacingNote, spacing_note
from treatments.scheduling.selectors.calendar_rows import CardRow
from treatments.scheduling.selectors.calendar_setup import CalendarSetup

ROW_MINUTES = 5
MAX_LANES = 4
DEFAULT_OPEN = dt.time(8, 0)
DEFAULT_CLOSE = dt.time(18, 0)


@dataclass(slots=True)
class Block:
    """Something placed on the grid: working hours, a closure or an appointment."""

    row: int  # 1-based grid row
    span: int
    lane: int = 0
    lanes: int = 1
    label: str = ""


@dataclass(slots=True)
class Item:
    appointment: CardRow
    block: Block
    local_start: dt.datetime
    local_end: dt.datetime
    flags: list[ScreeningFlag]
    step_label: str
    can_check_in: bool
    can_no_show: bool
    frees_slot: bool  # cancelled in the future: the waitlist may take it
    spacing: SpacingNote | None = None  # spaced other than its protocol says
    # A booking inside a closure or time off added after it: the closure's reason, until the desk
    # moves or cancels it (/desk/setup/closures/<pk>/).
    in_closure: str = ""
    # A booking ahead that its practitioner's hours (changed since) leave outside, until moved or
    # cancelled, or the hours change back (/desk/setup/practitioners/<pk>/).
    outside_hours: bool = False


@dataclass
class Column:
    key: str
    title: str
    subtitle: str = ""
    date: dt.date | None = None
    practitioner: Practitioner | None = None
    items: list[Item] = field(default_factory=list)
    open_blocks: list[Block] = field(default_factory=list)
    closed_blocks: list[Block] = field(default_factory=list)


@dataclass
class Grid:
    first_minute: int
    last_minute: int
    columns: list[Column]
    hour_marks: list[Block]
    now_row: int | None = None  # the grid row of "now" when the day shown is today

    @property
    def rows(self) -> int:
        return (self.last_minute - self.first_minute) // ROW_MINUTES


def minute_of(value: dt.datetime | dt.time, day: dt.date | None = None) -> int:
    """Minutes since local midnight of `day`; 24*60 for the next midnight."""
    if isinstance(value, dt.datetime):
        return _local_minute(to_local(value), day)
    return value.hour * 60 + value.minute


def _local_minute(local: dt.datetime, day: dt.date | None) -> int:
    if day is not None:
        date = local.date()
        if date < day:
            return 0
        if date > day:
            return 24 * 60
    return local.hour * 60 + local.minute


def _block(first_minute: int, start_min: int, end_min: int, label: str = "") -> Block:
    start_min = max(start_min, first_minute)
    row = (start_min - first_minute) // ROW_MINUTES + 1
    span = max(1, -(-(end_min - start_min) // ROW_MINUTES))
    return Block(row=row, span=span, label=label)


def _assign_lanes(items: list[Item]) -> None:
    """Overlapping appointments in one column sit side by side (a cancelled one next to the
    booking that took its place)."""
    items.sort(key=lambda i: (i.block.row, -i.block.span))
    cluster: list[Item] = []
    cluster_end = 0
    lane_ends: list[int] = []

    def close() -> None:
        if len(cluster) == 1:
            return  # alone: lane 0 of 1, as every block starts
        lanes = min(max(len(lane_ends), 1), MAX_LANES)
        for member in cluster:
            member.block.lanes = lanes

    for item in items:
        start, end = item.block.row, item.block.row + item.block.span
        if cluster and start >= cluster_end:
            close()
            cluster, lane_ends = [], []
        for lane, lane_end in enumerate(lane_ends):
            if lane_end <= start:
                lane_ends[lane] = end
                item.block.lane = min(lane, MAX_LANES - 1)
                break
        else:
            lane_ends.append(end)
            item.block.lane = min(len(lane_ends) - 1, MAX_LANES - 1)
        cluster.append(item)
        cluster_end = max(cluster_end, end)
    if cluster:
        close()


def _step_label(appointment: CardRow, words: str) -> str:
    """ "session n of m"; `words` is the sentence translated once for the whole calendar."""
    if appointment.series_id is None or appointment.series_step is None:
        return ""
    return words % {"step": appointment.series_step, "total": appointment.planned_sessions}


def _step_words() -> str:
    from django.utils.translation import gettext as _

    return _("session %(step)s of %(total)s")


class CardReading:
    """What every card of one calendar shares, worked out once: the clinic's zone, today's date,
    the "session n of m" sentence, the screening flags and the protocols of the series shown."""

    def __init__(
        self,
        appointments: list[CardRow],
        now: dt.datetime,
        setup: CalendarSetup,
        flags: dict[int, list[ScreeningFlag]] | None = None,
    ) -> None:
        self.zone = clinic_zone()
        self.now = now
        self.flags = screening_flags({a.patient_id for a in appointments}) if flags is None else flags
        self.step_words = _step_words()
        self.protocols = setup.protocols
        self._attendance: dict[tuple, tuple[bool, bool]] = {}
        # A busy day's 330 cards start at a few dozen times, and their series' sessions are spaced
        # alike: each local time and each spacing is worked out once.
        self._local: dict[dt.datetime, dt.datetime] = {}
        self._spacing: dict[tuple, SpacingNote | None] = {}
        self._spans: dict[tuple, tuple[dt.datetime, dt.datetime, int, int]] = {}
        self._steps: dict[tuple, str] = {}

    def span(self, start: dt.datetime, end: dt.datetime, day: dt.date) -> tuple[dt.datetime, dt.datetime, int, int]:
        """Its local start and end, and their minutes on `day` (a day's cards share a few dozen)."""
        key = (start, end, day)
        found = self._spans.get(key)
        if found is None:
            local_start, local_end = self.local(start), self.local(end)
            found = (local_start, local_end, _local_minute(local_start, day), _local_minute(local_end, day))
            self._spans[key] = found
        return found

    def step_label(self, a: CardRow) -> str:
        """ "session n of m", worked out once per step and size."""
        key = (a.series_step, a.planned_sessions)
        found = self._steps.get(key)
        if found is None:
            found = self._steps[key] = _step_label(a, self.step_words)
        return found

    def local(self, moment: dt.datetime) -> dt.datetime:
        found = self._local.get(moment)
        if found is None:
            found = self._local[moment] = to_local(moment, self.zone)
        return found

    def attendance(self, a: CardRow) -> tuple[bool, bool]:
        """May it be checked in, marked a no-show (the attendance rules, which read its status and
        start: asked once per status and start on a calendar)."""
        key = (a.status, a.start)
        found = self._attendance.get(key)
        if found is None:
            # The rules read its status and start, which a CardRow carries as an Appointment does.
            row = cast(Appointment, a)
            found = (may_check_in(row, self.now), may_mark_no_show(row, self.now))
            self._attendance[key] = found
        return found

    def spacing(self, a: CardRow) -> SpacingNote | None:
        """The live session against its series' previous live session (rules.spacing's pair), or
        None when it is spaced as its protocol says."""
        if a.previous_step is None or not a.is_live:
            return None
        key = (a.protocol_id, a.previous_start, a.previous_step, a.start, a.series_step)
        if key in self._spacing:
            return self._spacing[key]
        protocol = self.protocols[a.protocol_id]
        note = spacing_note(
            previous=a.previous_start,
            previous_step=a.previous_step,
            start=a.start,
            step=a.series_step,
            interval=protocol.interval_after(a.previous_step),
            before_days=protocol.window_before_days,
            after_days=protocol.window_after_days,
            zone=self.zone,
        )
        found = self._spacing[key] = None if note.ok else note
        return found


def card_item(appointment: CardRow, day: dt.date, reading: CardReading) -> tuple[Item, int, int]:
    can_check_in, can_no_show = reading.attendance(appointment)
    local_start, local_end, start_min, end_min = reading.span(appointment.start, appointment.end, day)
    item = Item(
        appointment,
        Block(0, 0),
        local_start,
        local_end,
        reading.flags.get(appointment.patient_id, []),
        reading.step_label(appointment) if appointment.series_id is not None else "",
        can_check_in,
        can_no_show,
        appointment.status == _CANCELLED and appointment.start > reading.now,
        reading.spacing(appointment),
    )
    return item, start_min, end_min


_CANCELLED, _BOOKED = Appointment.Status.CANCELLED.value, Appointment.Status.BOOKED.value


def _window(minutes: list[tuple[int, int]]) -> tuple[int, int]:
    first = min([minute_of(DEFAULT_OPEN)] + [s for s, _e in minutes])
    last = max([minute_of(DEFAULT_CLOSE)] + [e for _s, e in minutes])
    return (first // 60) * 60, min(24 * 60, -(-last // 60) * 60)


def grid_finish(
    columns: list[Column],
    pending: list[tuple[Column, Item, int, int]],
    spans: list[tuple[Column, str, int, int, str]],
    also: Sequence[tuple[int, int]] = (),  # minutes the window must cover besides (days built apart)
) -> Grid:
    """Place everything once the visible window (working hours + appointments) is known."""
    first, last = _window([(s, e) for _c, _i, s, e in pending] + [(s, e) for _c, _k, s, e, _l in spans] + list(also))
    for column, item, start_min, end_min in pending:
        # As _block, in place: a busy day has hundreds of cards.
        end_min = max(end_min, start_min + ROW_MINUTES)
        start_min = max(start_min, first)
        item.block.row = (start_min - first) // ROW_MINUTES + 1
        item.block.span = max(1, -(-(end_min - start_min) // ROW_MINUTES))
        column.items.append(item)
    for column, kind, start_min, end_min, label in spans:
        if end_min <= first or start_min >= last:
            continue
        block = _block(first, start_min, min(end_min, last), label)
        (column.open_blocks if kind == "open" else column.closed_blocks).append(block)
    for column in columns:
        _assign_lanes(column.items)
    marks = [
        Block(row=(minute - first) // ROW_MINUTES + 1, span=60 // ROW_MINUTES, label=f"{minute // 60:02d}:00")
        for minute in range(first, last, 60)
    ]
    return Grid(first_minute=first, last_minute=last, columns=columns, hour_marks=marks)


def closure_span(closure: Closure, day: dt.date) -> tuple[int, int, str]:
    """Its minutes on `day` and its label: the reason, with the local times unless it takes the
    whole day, so the desk reads the hours it blocks as they were typed in Setup."""
    start, end = minute_of(closure.starts_at, day), minute_of(closure.ends_at, day)
    if (start, end) == (0, 24 * 60):
        return start, end, closure.reason
    return start, end, f"{closure.reason} ({start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d})"


def mark_covered(
    pending: list[tuple[Column, Item, int, int]], closures: list[Closure], setup: CalendarSetup, now: dt.datetime
) -> None:
    """Mark each booked card that a closure of its practitioner or location covers, or, ahead,
    that the hours leave outside (from the setup's hours: no query)."""
    hours = setup.hours_index
    booked = _BOOKED
    for _column, item, _s, _e in pending:
        a = item.appointment
        if a.status != booked:
            continue
        for closure in closures:
            if (
                closure.starts_at < a.end
                and a.start < closure.ends_at
                and closure.practitioner_id in (None, a.practitioner_id)
                and closure.location_id in (None, a.location_id)
            ):
                item.in_closure = closure.reason
                break
        else:
            item.outside_hours = a.start > now and hours.outside(
                practitioner_id=a.practitioner_id, location_id=a.location_id, start=a.start, end=a.end
            )


def closure_applies(closure: Closure, practitioner_id: int, locations: set[int]) -> bool:
    """A clinic holiday closes every column; a location's closure the columns of those working
    there that day; a leave its practitioner's column."""
    if closure.practitioner_id not in (None, practitioner_id):
        return False
    return closure.location_id is None or closure.location_id in locations
