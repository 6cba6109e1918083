"""The desk calendar: a day with a column per practitioner, or a practitioner's week with a
column per day. A fixed number of queries whatever the data (asserted in the tests): the
appointments (as plain values, with each series session's previous live session for its spacing,
no model instance), the closures, one for every screening flag, and the setup (practitioners,
working hours, types, protocols: one query for its token when this process has read it since it
last changed, selectors/calendar_setup.py).

Positions are grid rows of ROW_MINUTES in the clinic's wall-clock time, rendered as CSS classes
(the Content-Security-Policy forbids inline styles)."""

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection
from django.db.models import OuterRef, Q, Subquery

from clinic.localtime import clinic_zone, day_bounds, local_date
from clinic.models import AppointmentType, Closure, Practitioner
from patients.selectors import ScreeningFlag, screening_flags
from patients.selectors_intake import intake_done_expression
from treatments.models import Appointment
from treatments.scheduling.rules import SpacingNote, spacing_note
from treatments.scheduling.selectors.calendar_setup import CalendarSetup, calendar_setup
from treatments.scheduling.selectors.calendar_version import LONGEST, appointments_between
from treatments.scheduling.services.attendance import check_in_refusal, no_show_refusal

ROW_MINUTES = 5
MAX_LANES = 4
DEFAULT_OPEN = dt.time(8, 0)
DEFAULT_CLOSE = dt.time(18, 0)


@dataclass
class Block:
    """Something placed on the grid: working hours, a closure or an appointment."""

    row: int  # 1-based grid row
    span: int
    lane: int = 0
    lanes: int = 1
    label: str = ""


# What a calendar reads of each appointment, in this order: one query of plain values.
ROW_FIELDS = (
    "id",
    "patient_id",
    "practitioner_id",
    "location_id",
    "appointment_type_id",
    "room_id",
    "series_id",
    "series_step",
    "start",
    "end",
    "status",
    "patient_confirmed_at",
    "patient__first_name",
    "patient__last_name",
    "appointment_type__name",
    "room__name",
    "series__planned_sessions",
    "series__protocol_id",
    "intake_done",
    "previous_start",
    "previous_step",
)


class CardRow:
    """An appointment as the calendar shows it, from one row of plain values (no model instance):
    the ids, times and status, the patient's name, the type's and room's names, its series' size
    and protocol, whether the intake is done, and its series' previous live session (for the
    spacing)."""

    __slots__ = (
        "pk",
        "patient_id",
        "practitioner_id",
        "location_id",
        "appointment_type_id",
        "room_id",
        "series_id",
        "series_step",
        "start",
        "end",
        "status",
        "patient_confirmed_at",
        "first_name",
        "last_name",
        "type_name",
        "room_name",
        "planned_sessions",
        "protocol_id",
        "intake_done",
        "previous_start",
        "previous_step",
    )

    def __init__(self, values: tuple) -> None:
        (
            self.pk,
            self.patient_id,
            self.practitioner_id,
            self.location_id,
            self.appointment_type_id,
            self.room_id,
            self.series_id,
            self.series_step,
            self.start,
            self.end,
            self.status,
            self.patient_confirmed_at,
            self.first_name,
            self.last_name,
            self.type_name,
            self.room_name,
            self.planned_sessions,
            self.protocol_id,
            self.intake_done,
            self.previous_start,
            self.previous_step,
        ) = values

    @property
    def id(self) -> int:
        return self.pk

    @property
    def is_live(self) -> bool:
        return self.status in Appointment.LIVE_STATUSES

    @property
    def full_name(self) -> str:  # as Patient.full_name
        return f"{self.first_name} {self.last_name}"


@dataclass
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


def _minute(value: dt.datetime | dt.time, day: dt.date | None = None) -> int:
    """Minutes since local midnight of `day`; 24*60 for the next midnight."""
    if isinstance(value, dt.datetime):
        return _local_minute(value.astimezone(clinic_zone()), day)
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


class _Reading:
    """What every card of one calendar shares, worked out once: the clinic's zone, today's date,
    the "session n of m" sentence, the screening flags and the protocols of the series shown."""

    def __init__(self, appointments: list[CardRow], now: dt.datetime, setup: CalendarSetup) -> None:
        self.zone = clinic_zone()
        self.now = now
        self.flags = screening_flags({a.patient_id for a in appointments})
        self.step_words = _step_words()
        self.protocols = setup.protocols
        self._attendance: dict[tuple, tuple[bool, bool]] = {}

    def attendance(self, a: CardRow) -> tuple[bool, bool]:
        """May it be checked in, marked a no-show (the attendance rules, which read its status and
        start: asked once per status and start on a calendar, as each answer builds a translated
        reason)."""
        key = (a.status, a.start)
        found = self._attendance.get(key)
        if found is None:
            found = (check_in_refusal(a, self.now) is None, no_show_refusal(a, self.now) is None)
            self._attendance[key] = found
        return found

    def spacing(self, a: CardRow) -> SpacingNote | None:
        """The live session against its series' previous live session (rules.spacing's pair), or
        None when it is spaced as its protocol says."""
        if a.previous_step is None or not a.is_live:
            return None
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
        return None if note.ok else note


def _item(appointment: CardRow, day: dt.date, reading: _Reading) -> tuple[Item, int, int]:
    zone, now = reading.zone, reading.now
    can_check_in, can_no_show = reading.attendance(appointment)
    local_start, local_end = appointment.start.astimezone(zone), appointment.end.astimezone(zone)
    start_min = _local_minute(local_start, day)
    end_min = _local_minute(local_end, day)
    item = Item(
        appointment=appointment,
        block=Block(row=0, span=0),
        local_start=local_start,
        local_end=local_end,
        flags=reading.flags.get(appointment.patient_id, []),
        step_label=_step_label(appointment, reading.step_words),
        can_check_in=can_check_in,
        can_no_show=can_no_show,
        frees_slot=appointment.status == Appointment.Status.CANCELLED and appointment.start > now,
        spacing=reading.spacing(appointment),
    )
    return item, start_min, end_min


def _rows_queryset(start: dt.datetime, end: dt.datetime, practitioner_id: int | None, location_id: int | None):
    qs = appointments_between(start, end)
    if practitioner_id is not None:
        qs = qs.filter(practitioner_id=practitioner_id)
    if location_id is not None:
        qs = qs.filter(location_id=location_id)
    # intake_done: the patient sent the intake form and signed the consent (the card's badge); the
    # previous live session of the series (by step, as rules.spacing pairs them) for the spacing:
    # both in this same query, read through the indexes (one live session per series step).
    previous = Appointment.objects.filter(
        series_id=OuterRef("series_id"),
        series_step__lt=OuterRef("series_step"),
        status__in=Appointment.LIVE_STATUSES,
    ).order_by("-series_step")
    return (
        qs.annotate(
            intake_done=intake_done_expression(),
            previous_start=Subquery(previous.values("start")[:1]),
            previous_step=Subquery(previous.values("series_step")[:1]),
        )
        .order_by("start", "id")
        .values_list(*ROW_FIELDS)
    )


# Stand-ins for the bounds and ids, to compile the statement once per shape (as
# calendar_version does): the ORM writes the SQL, then each call passes its own values in the
# order the stand-ins came out; every other parameter (the live statuses) is kept as written.
_PROBE_START = dt.datetime(2001, 2, 3, 6, 0, tzinfo=dt.UTC)
_PROBE_END = dt.datetime(2001, 2, 4, 6, 0, tzinfo=dt.UTC)
_PROBE_PRACTITIONER = -7001
_PROBE_LOCATION = -7002


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple  # a name of _bound's values, or (value,) kept as it is
    converters: dict


@lru_cache(maxsize=4)
def _statement(_vendor: str, by_practitioner: bool, by_location: bool) -> _Statement:
    qs = _rows_queryset(
        _PROBE_START,
        _PROBE_END,
        _PROBE_PRACTITIONER if by_practitioner else None,
        _PROBE_LOCATION if by_location else None,
    )
    compiler = qs.query.get_compiler(using=qs.db)
    sql, params = compiler.as_sql()
    names = {repr(value): name for name, value in _bound(_PROBE_START, _PROBE_END, -7001, -7002).items()}
    order = tuple(names.get(repr(param), (param,)) for param in params)
    converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
    return _Statement(sql, order, converters)


def _bound(start: dt.datetime, end: dt.datetime, practitioner_id, location_id) -> dict:
    adapt = connection.ops.adapt_datetimefield_value
    return {
        "start": adapt(start),
        "end": adapt(end),
        "from": adapt(start - LONGEST),
        "practitioner": practitioner_id,
        "location": location_id,
    }


def _appointments(
    start: dt.datetime, end: dt.datetime, practitioner: Practitioner | None, location_id: int | None = None
) -> list[CardRow]:
    """The calendar's appointments as plain rows, in one query compiled once per shape."""
    practitioner_id = practitioner.pk if practitioner is not None else None
    statement = _statement(connection.vendor, practitioner_id is not None, location_id is not None)
    values = _bound(start, end, practitioner_id, location_id)
    params = [values[name] if isinstance(name, str) else name[0] for name in statement.params]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        rows = cursor.fetchall()
    if statement.converters:  # e.g. SQLite's dates and booleans; none on PostgreSQL
        rows = [_converted(row, statement.converters) for row in rows]
    return [CardRow(values) for values in rows]


def _converted(row: tuple, converters: dict) -> tuple:
    values = list(row)
    for position, (functions, expression) in converters.items():
        for function in functions:
            values[position] = function(values[position], expression, connection)
    return tuple(values)


def _window(minutes: list[tuple[int, int]]) -> tuple[int, int]:
    first = min([_minute(DEFAULT_OPEN)] + [s for s, _e in minutes])
    last = max([_minute(DEFAULT_CLOSE)] + [e for _s, e in minutes])
    return (first // 60) * 60, min(24 * 60, -(-last // 60) * 60)


def _finish(
    columns: list[Column],
    pending: list[tuple[Column, Item, int, int]],
    spans: list[tuple[Column, str, int, int, str]],
    also: list[tuple[int, int]] = (),  # minutes the window must cover besides (days built apart)
) -> Grid:
    """Place everything once the visible window (working hours + appointments) is known."""
    first, last = _window([(s, e) for _c, _i, s, e in pending] + [(s, e) for _c, _k, s, e, _l in spans] + list(also))
    for column, item, start_min, end_min in pending:
        block = _block(first, start_min, max(end_min, start_min + ROW_MINUTES))
        item.block.row, item.block.span = block.row, block.span
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


def _closure_span(closure: Closure, day: dt.date) -> tuple[int, int, str]:
    """Its minutes on `day` and its label: the reason, with the local times unless it takes the
    whole day, so the desk reads the hours it blocks as they were typed in Setup."""
    start, end = _minute(closure.starts_at, day), _minute(closure.ends_at, day)
    if (start, end) == (0, 24 * 60):
        return start, end, closure.reason
    return start, end, f"{closure.reason} ({start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d})"


def _closure_applies(closure: Closure, practitioner_id: int, locations: set[int]) -> bool:
    """A clinic holiday closes every column; a location's closure the columns of those working
    there that day; a leave its practitioner's column."""
    if closure.practitioner_id not in (None, practitioner_id):
        return False
    return closure.location_id is None or closure.location_id in locations


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


def day_calendar(*, day: dt.date, now: dt.datetime, location_id: int | None = None) -> DayCalendar:
    """Every active practitioner (and anyone with an appointment that day) as a column; with a
    location, only those working or booked there that day."""
    start, end = day_bounds(day)
    appointments = _appointments(start, end, None, location_id)
    with_appointments = {a.practitioner_id for a in appointments}
    setup = calendar_setup()
    weekday = day.weekday()
    hours = [h for h in setup.hours if h.weekday == weekday and (location_id is None or h.location_id == location_id)]
    if location_id is None:
        practitioners = [p for p in setup.practitioners if p.active or p.pk in with_appointments]
    else:
        wanted = with_appointments | {h.practitioner_id for h in hours}
        practitioners = [p for p in setup.practitioners if p.pk in wanted]
    closures = list(Closure.objects.filter(starts_at__lt=end, ends_at__gt=start))
    reading = _Reading(appointments, now, setup)

    columns = {
        p.pk: Column(key=str(p.pk), title=p.display_name, subtitle=p.title, practitioner=p, date=day)
        for p in practitioners
    }
    works_at: dict[int, set[int]] = {}
    pending, spans = [], []
    for appointment in appointments:
        column = columns[appointment.practitioner_id]
        item, s, e = _item(appointment, day, reading)
        pending.append((column, item, s, e))
        works_at.setdefault(appointment.practitioner_id, set()).add(appointment.location_id)
    for block in hours:
        if block.practitioner_id in columns:
            works_at.setdefault(block.practitioner_id, set()).add(block.location_id)
            spans.append(
                (columns[block.practitioner_id], "open", _minute(block.start), _minute(block.end), block.location.name)
            )
    for closure in closures:
        s, e, label = _closure_span(closure, day)
        for pk, column in columns.items():
            if _closure_applies(closure, pk, works_at.get(pk, set())):
                spans.append((column, "closed", s, e, label))
    grid = _finish(list(columns.values()), pending, spans)
    local_now = now.astimezone(clinic_zone())
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
    appointments = _appointments(start, end, practitioner)
    setup = calendar_setup()
    hours = [h for h in setup.hours if h.practitioner_id == practitioner.pk]
    closures = list(
        Closure.objects.filter(starts_at__lt=end, ends_at__gt=start).filter(
            Q(practitioner__isnull=True) | Q(practitioner=practitioner)
        )
    )
    reading = _Reading(appointments, now, setup)
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
        item, s, e = _item(appointment, day, reading)
        pending.append((columns[day], item, s, e))
    for block in hours:
        for day, column in columns.items():
            if day.weekday() == block.weekday:
                spans.append((column, "open", _minute(block.start), _minute(block.end), block.location.name))
    locations = {h.location_id for h in hours} | {a.location_id for a in appointments}
    for closure in closures:
        if not _closure_applies(closure, practitioner.pk, locations):
            continue
        for day, column in columns.items():
            s, e, label = _closure_span(closure, day)
            if e > 0 and s < 24 * 60 and e > s:
                spans.append((column, "closed", s, e, label))
    grid = _finish(list(columns.values()), pending, spans)
    return WeekCalendar(practitioner=practitioner, first_day=first_day, grid=grid)


def appointment_type_colours() -> list[tuple[int, str, str]]:
    """(pk, border colour, background) per type, for the generated stylesheet."""
    result = []
    for pk, colour in AppointmentType.objects.values_list("pk", "colour"):
        border = colour if _is_hex(colour) else "#6c757d"
        result.append((pk, border, _tint(border)))
    return result


def _is_hex(value: str) -> bool:
    return len(value) == 7 and value[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in value[1:])


def _tint(colour: str, amount: float = 0.82) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    r, g, b = (round(c + (255 - c) * amount) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"
