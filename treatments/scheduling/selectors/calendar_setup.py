"""What the desk calendars show besides the appointments — every practitioner, their working hours
(the week's and the extra hours on dates, with the location's name: selectors/hours.py), the
appointment types, the rooms' names, the protocols and the active locations — read once per process for
each setup stamp (clinic.setup_stamp: its token is replaced whenever any of those rows is saved or
deleted). A day built afresh after a check-in, a booking or a move then reads one token instead of
five tables. The closures are kept too (a clinic's holidays and everyone's leave: a few hundred
rows a year), ordered by their end, so a calendar finds its days' by bisection."""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

from clinic.compiled_sql import CompiledRead
from clinic.models import AppointmentType, Closure, Location, Practitioner, Room, SetupStamp
from treatments.models import Protocol
from treatments.scheduling.selectors.hours import HoursBlock, HoursIndex, hour_blocks


@dataclass(frozen=True)
class CalendarSetup:
    token: str
    practitioners: list[Practitioner]  # every one, active or not, in their order (display name)
    hours: list[HoursBlock]  # every block, weekly and dated, with its location's name
    types: list[AppointmentType]
    room_names: dict[int, str]  # every room's, by id (the cards name theirs)
    protocols: dict[int, Protocol]
    locations: list[Location]  # the active ones, by name (the day page's filter)
    closures: list[Closure]  # every one, by its end

    @cached_property
    def type_names(self) -> dict[int, str]:  # the cards name their type
        return {t.pk: t.name for t in self.types}

    @cached_property
    def hours_index(self) -> HoursIndex:
        """Whether a booking is inside its practitioner's hours, over these hours and kept with them: each
        practitioner's working stretches per day are worked out once per setup, not per page."""
        return HoursIndex(self.hours)

    @cached_property
    def _closure_ends(self) -> list[dt.datetime]:
        return [c.ends_at for c in self.closures]

    def closures_between(self, start: dt.datetime, end: dt.datetime) -> list[Closure]:
        """Every closure overlapping start..end (a clinic's holiday, a location's, anyone's leave),
        by its start: those ending after `start` found by bisection, then those starting before `end`."""
        later = self.closures[bisect_right(self._closure_ends, start) :]
        return sorted((c for c in later if c.starts_at < end), key=lambda c: (c.starts_at, c.pk))


_kept: CalendarSetup | None = None
_TOKEN = CompiledRead(lambda: SetupStamp.objects.filter(pk=1).values_list("token")[:1])
_lock = threading.Lock()


def calendar_setup() -> CalendarSetup:
    """The setup as of now: one query when this process read it under the current token, eight
    when the setup changed since (or no token was ever written: nothing is kept then)."""
    global _kept
    found = _TOKEN.rows()
    token = (found[0][0] if found else "") or ""
    kept = _kept
    if token and kept is not None and kept.token == token:
        return kept
    setup = CalendarSetup(
        token=token,
        practitioners=list(Practitioner.objects.all()),
        hours=hour_blocks(),
        types=list(AppointmentType.objects.all()),
        room_names=dict(Room.objects.values_list("pk", "name")),
        protocols=Protocol.objects.in_bulk(),
        locations=list(Location.objects.filter(active=True)),
        closures=list(Closure.objects.order_by("ends_at", "pk")),
    )
    if token:
        with _lock:
            _kept = setup
    return setup


def forget_setup() -> None:
    """Drop this process's copy (the tests do before each test)."""
    global _kept
    with _lock:
        _kept = None
