"""Working hours as one list, in one query: the week's blocks (clinic.models.WorkingHours) and the
extra time on single dates (clinic.models.DatedHours), read together by a UNION so nothing that
reads hours pays a query more for the dated ones. Every reader of hours goes through here: the
availability (the kernel, the planner, /book/), the calendars' setup, the slot clicked on the
calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import DateField, IntegerField, Q, Value

from clinic.localtime import clinic_zone, local_date
from clinic.models import DatedHours, WorkingHours
from treatments.scheduling.availability import Availability, DatedBlock, WeeklyBlock


@dataclass(frozen=True, slots=True)
class HoursBlock:
    """A block of working time: every `weekday` of the week, or on `date` only (a dated block)."""

    practitioner_id: int
    location_id: int
    location_name: str
    weekday: int | None
    date: dt.date | None
    start: dt.time
    end: dt.time
    pk: int  # of its WorkingHours or DatedHours row

    def on(self, day: dt.date) -> bool:
        return day == self.date if self.date is not None else day.weekday() == self.weekday


_COLUMNS = ("practitioner_id", "location_id", "location__name", "weekday", "on_date", "start", "end", "pk")


def hour_blocks(
    *,
    practitioner_id: int | None = None,
    location_id: int | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    active_locations: bool = False,
) -> list[HoursBlock]:
    """The week's blocks and the dated blocks between the local dates `first` and `last` (all of
    them when not given), of one practitioner and/or location when given. One query."""
    scope = Q()
    if practitioner_id is not None:
        scope &= Q(practitioner_id=practitioner_id)
    if location_id is not None:
        scope &= Q(location_id=location_id)
    if active_locations:
        scope &= Q(location__active=True)
    dated_scope = scope
    if first is not None:
        dated_scope &= Q(date__gte=first)
    if last is not None:
        dated_scope &= Q(date__lte=last)
    weekly = (
        WorkingHours.objects.filter(scope)
        .annotate(on_date=Value(None, output_field=DateField()))
        .values_list(*_COLUMNS)
        .order_by()
    )
    dated = (
        DatedHours.objects.filter(dated_scope)
        .annotate(weekday=Value(None, output_field=IntegerField()))
        .values_list(*_COLUMNS[:4], "date", "start", "end", "pk")
        .order_by()
    )
    rows = weekly.union(dated, all=True)
    blocks = [HoursBlock(*row) for row in rows]
    blocks.sort(key=lambda b: (b.practitioner_id, b.date or dt.date.min, b.weekday or 0, b.start))
    return blocks


KEPT = 20_000  # starts and practitioner-days an index remembers before it starts again


class HoursIndex:
    """ "Is this booking inside its practitioner's hours at its location?" over blocks already read
    (the calendars' setup, a page's one read): the `Availability` of each practitioner and
    location, built when first asked — the one hours rule (`Availability.working`), no query."""

    def __init__(self, blocks: Iterable[HoursBlock], zone: ZoneInfo | None = None) -> None:
        self.zone = zone or clinic_zone()
        self._blocks: dict[tuple[int, int], list[HoursBlock]] = {}
        for block in blocks:
            self._blocks.setdefault((block.practitioner_id, block.location_id), []).append(block)
        self._kept: dict[tuple[int, int], Availability] = {}
        # Each practitioner's working stretches per location and local day, worked out once (a busy
        # day asks for 300 cards of some twenty practitioners).
        self._working: dict[tuple[int, int, dt.date], list[tuple[dt.datetime, dt.datetime]]] = {}
        self._days: dict[dt.datetime, dt.date] = {}  # each start's local date (cards share a few dozen)

    def availability(self, practitioner_id: int, location_id: int) -> Availability:
        key = (practitioner_id, location_id)
        found = self._kept.get(key)
        if found is None:
            blocks = self._blocks.get(key, [])
            found = Availability(
                zone=self.zone,
                blocks=[WeeklyBlock(b.weekday, b.start, b.end) for b in blocks if b.weekday is not None],
                dated=[DatedBlock(b.date, b.start, b.end) for b in blocks if b.date is not None],
            )
            self._kept[key] = found
        return found

    def outside(self, *, practitioner_id: int, location_id: int, start: dt.datetime, end: dt.datetime) -> bool:
        # No closures or bookings in it: `Availability.problem` can only say "outside the hours",
        # which is this test (its rule, `Availability.working`, with the stretches kept per day).
        if end <= start:
            return True
        day = self._days.get(start)
        if day is None:
            if len(self._days) >= KEPT:  # an index kept with the setup (CalendarSetup.hours_index)
                self._days.clear()
            day = self._days[start] = local_date(start, self.zone)
        key = (practitioner_id, location_id, day)
        working = self._working.get(key)
        if working is None:
            if len(self._working) >= KEPT:
                self._working.clear()
            working = self._working[key] = self.availability(practitioner_id, location_id).working(day)
        return not any(ws <= start and end <= we for ws, we in working)
