"""The desk calendar: a day with a column per practitioner, or a practitioner's week with a
column per day. A fixed number of queries whatever the data (asserted in the tests): the
appointments, practitioners, working hours, closures, one for every screening flag and one for the
live sessions of the series shown (their spacing).

Positions are grid rows of ROW_MINUTES in the clinic's wall-clock time, rendered as CSS classes
(the Content-Security-Policy forbids inline styles)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from clinic.localtime import clinic_zone, day_bounds, local_date, to_local
from clinic.models import Closure, Practitioner, WorkingHours
from patients.selectors import ScreeningFlag, screening_flags
from patients.selectors_intake import intake_done_expression
from treatments.models import Appointment
from treatments.scheduling.attendance import check_in_refusal, no_show_refusal
from treatments.scheduling.rules import SpacingNote
from treatments.scheduling.selectors.calendar_version import appointments_between
from treatments.scheduling.selectors.series_notes import day_spacing

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


@dataclass
class Item:
    appointment: Appointment
    block: Block
    local_start: dt.datetime
    local_end: dt.datetime
    flags: list[ScreeningFlag]
    step_label: str
    can_check_in: bool
    can_no_show: bool
    frees_slot: bool  # cancelled in the future: the waitlist may take it
    urls: dict[str, str] = field(default_factory=dict)
    spacing: SpacingNote | None = None  # spaced other than its protocol says

    @property
    def css(self) -> str:
        b = self.block
        return (
            f"cal-r-{b.row} cal-s-{b.span} cal-ln-{b.lanes}-{b.lane} "
            f"cal-type-{self.appointment.appointment_type_id} cal-st-{self.appointment.status}"
        )


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


ITEM_URLS = {
    "patient": "desk:patient",
    "check_in": "desk:appointment_check_in",
    "no_show": "desk:appointment_no_show",
    "move": "desk:appointment_move",
    "cancel": "desk:appointment_cancel",
    "ics": "desk:appointment_ics",
    "waitlist": "desk:waitlist_slot",
}
_SENTINEL = 987654321


def attach_urls(grid: "Grid") -> None:
    """Each card links to seven pages: reverse each URL once and fill in the ids, instead of
    seven {% url %} lookups per appointment (the busy day's main rendering cost)."""
    from django.urls import reverse

    patterns = {key: reverse(name, args=[_SENTINEL]) for key, name in ITEM_URLS.items()}
    for column in grid.columns:
        for item in column.items:
            a = item.appointment
            item.urls = {
                key: pattern.replace(str(_SENTINEL), str(a.patient_id if key == "patient" else a.pk))
                for key, pattern in patterns.items()
            }


def _minute(value: dt.datetime | dt.time, day: dt.date | None = None) -> int:
    """Minutes since local midnight of `day`; 24*60 for the next midnight."""
    if isinstance(value, dt.datetime):
        local = to_local(value)
        if day is not None and local.date() < day:
            return 0
        if day is not None and local.date() > day:
            return 24 * 60
        return local.hour * 60 + local.minute
    return value.hour * 60 + value.minute


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


def _step_label(appointment: Appointment) -> str:
    from django.utils.translation import gettext as _

    series = appointment.series
    if series is None or appointment.series_step is None:
        return ""
    return _("session %(step)s of %(total)s") % {
        "step": appointment.series_step,
        "total": series.planned_sessions,
    }


def _item(
    appointment: Appointment,
    day: dt.date,
    flags: dict[int, list[ScreeningFlag]],
    spacing: dict[int, SpacingNote],
    now: dt.datetime,
) -> tuple[Item, int, int]:
    zone = clinic_zone()
    start_min = _minute(appointment.start, day)
    end_min = _minute(appointment.end, day)
    item = Item(
        appointment=appointment,
        block=Block(row=0, span=0),
        local_start=to_local(appointment.start, zone),
        local_end=to_local(appointment.end, zone),
        flags=flags.get(appointment.patient_id, []),
        step_label=_step_label(appointment),
        can_check_in=check_in_refusal(appointment, now) is None,
        can_no_show=no_show_refusal(appointment, now) is None,
        frees_slot=appointment.status == Appointment.Status.CANCELLED and appointment.start > now,
        spacing=spacing.get(appointment.pk),
    )
    return item, start_min, end_min


def _appointments(
    start: dt.datetime, end: dt.datetime, practitioner: Practitioner | None, location_id: int | None = None
) -> list[Appointment]:
    qs = appointments_between(start, end)
    if practitioner is not None:
        qs = qs.filter(practitioner=practitioner)
    if location_id is not None:
        qs = qs.filter(location_id=location_id)
    # intake_done: the patient sent the intake form and signed the consent (the card's badge), in
    # this same query.
    return list(
        qs.select_related("patient", "appointment_type", "series__protocol", "location", "room")
        .annotate(intake_done=intake_done_expression())
        .order_by("start", "id")
    )


def _window(minutes: list[tuple[int, int]]) -> tuple[int, int]:
    first = min([_minute(DEFAULT_OPEN)] + [s for s, _e in minutes])
    last = max([_minute(DEFAULT_CLOSE)] + [e for _s, e in minutes])
    return (first // 60) * 60, min(24 * 60, -(-last // 60) * 60)


def _finish(
    columns: list[Column], pending: list[tuple[Column, Item, int, int]], spans: list[tuple[Column, str, int, int, str]]
) -> Grid:
    """Place everything once the visible window (working hours + appointments) is known."""
    first, last = _window([(s, e) for _c, _i, s, e in pending] + [(s, e) for _c, _k, s, e, _l in spans])
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


def _valid_until(appointments: list[Appointment], now: dt.datetime, shows_today: bool) -> dt.datetime:
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
    hours_qs = WorkingHours.objects.filter(weekday=day.weekday()).select_related("location")
    if location_id is not None:
        hours_qs = hours_qs.filter(location_id=location_id)
    hours = list(hours_qs)
    if location_id is None:
        who = Q(active=True) | Q(pk__in=with_appointments)
    else:
        who = Q(pk__in=with_appointments | {h.practitioner_id for h in hours})
    practitioners = list(Practitioner.objects.filter(who))
    closures = list(Closure.objects.filter(starts_at__lt=end, ends_at__gt=start))
    flags = screening_flags({a.patient_id for a in appointments})
    spacing = day_spacing(appointments)

    columns = {
        p.pk: Column(key=str(p.pk), title=p.display_name, subtitle=p.title, practitioner=p, date=day)
        for p in practitioners
    }
    works_at: dict[int, set[int]] = {}
    pending, spans = [], []
    for appointment in appointments:
        column = columns[appointment.practitioner_id]
        item, s, e = _item(appointment, day, flags, spacing, now)
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
    hours = list(WorkingHours.objects.filter(practitioner=practitioner).select_related("location"))
    closures = list(
        Closure.objects.filter(starts_at__lt=end, ends_at__gt=start).filter(
            Q(practitioner__isnull=True) | Q(practitioner=practitioner)
        )
    )
    flags = screening_flags({a.patient_id for a in appointments})
    spacing = day_spacing(appointments)
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
        item, s, e = _item(appointment, day, flags, spacing, now)
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
