"""What a change to the clinic's hours or time off does to the bookings, read before it is saved:
the bookings a closure covers (and where each could go instead), the bookings a new week would
leave outside the hours, and the closures already recorded for the same people and place.

Where a covered booking could go is asked of the planner and the series rules
(`planning.place` inside `rules`' window for the session, from `selectors.moves.session_window`),
never decided here: the move service re-checks it on the way in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.db.models import Q
from django.utils.translation import gettext as _

from clinic.localtime import clinic_zone, day_bounds, local_date, to_local
from clinic.models import Closure, DatedHours, Location, Practitioner
from treatments.models import Appointment
from treatments.scheduling.availability import Availability, Busy, DatedBlock, WeeklyBlock
from treatments.scheduling.planning import place
from treatments.scheduling.rules import HORIZON_DAYS, Window, offer_last, type_times
from treatments.scheduling.selectors.availability import availability_around
from treatments.scheduling.selectors.closures import closure_label
from treatments.scheduling.selectors.hours import HoursBlock, HoursIndex, hour_blocks
from treatments.scheduling.selectors.moves import series_siblings, session_window

# A new week is checked against the bookings of this many days ahead.
WEEK_HORIZON_DAYS = 366


def scope_filter(*, practitioner_id: int | None, location_id: int | None) -> Q:
    """The appointments a closure of this scope covers: a clinic holiday all, a location's its
    bookings there, a leave its practitioner's (at one location when it names one)."""
    q = Q()
    if practitioner_id is not None:
        q &= Q(practitioner_id=practitioner_id)
    if location_id is not None:
        q &= Q(location_id=location_id)
    return q


def covered_bookings(
    *,
    practitioner_id: int | None,
    location_id: int | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    now: dt.datetime,
) -> list[Appointment]:
    """The booked appointments from `now` on that [starts_at, ends_at) covers. One query."""
    return list(
        Appointment.objects.filter(
            scope_filter(practitioner_id=practitioner_id, location_id=location_id),
            status=Appointment.Status.BOOKED,
            start__lt=ends_at,
            end__gt=max(starts_at, now),
        )
        .select_related("patient", "practitioner", "location", "room", "appointment_type", "series__protocol")
        .order_by("start", "pk")
    )


def closure_covering(appointment: Appointment) -> Closure | None:
    """The first closure that covers this booking (the card's mark, a closure's booking list)."""
    return (
        Closure.objects.filter(starts_at__lt=appointment.end, ends_at__gt=appointment.start)
        .filter(Q(practitioner__isnull=True) | Q(practitioner_id=appointment.practitioner_id))
        .filter(Q(location__isnull=True) | Q(location_id=appointment.location_id))
        .order_by("starts_at")
        .first()
    )


@dataclass(frozen=True)
class Covered:
    """A booking a closure covers, and the nearest time it could move to ("" why none)."""

    appointment: Appointment
    proposed: dt.datetime | None
    problem: str = ""


def nearest_allowed(
    appointment: Appointment,
    *,
    now: dt.datetime,
    also_closed: Sequence[Busy] = (),
    less_hours: Sequence[DatedBlock] = (),
) -> Covered:
    """The nearest free time for `appointment` that keeps its series' window (the later sessions
    stay where they are), its practitioner, location, patient and room: the planner's `place`
    from the appointment's own day outwards. A preview of a change not saved yet: `also_closed`,
    a closure; `less_hours`, extra hours on a date about to be removed."""
    zone = clinic_zone()
    today = local_date(now, zone)
    own_day = local_date(appointment.start, zone)
    if appointment.series_id is not None:
        window = session_window(appointment, siblings=series_siblings(appointment), today=today)
        if window is None:
            return Covered(appointment, None, _("its neighbours in the series leave no other date"))
        last = offer_last(window, max(window.earliest, own_day))
        window = Window(own_day if window.contains(own_day) else window.target, window.earliest, last)
    else:
        # A standalone appointment (no series window): the nearest free time the horizon either side
        # of its own day.
        horizon = dt.timedelta(days=HORIZON_DAYS)
        window = Window(own_day, max(today, own_day - horizon), own_day + horizon)
    availability = availability_around(appointment, first=window.earliest, last=window.latest)
    if also_closed:
        availability = replace(availability, closures=[*availability.closures, *also_closed])
    if less_hours:
        availability = replace(availability, dated=[d for d in availability.dated if d not in less_hours])
    duration, buffer = type_times(appointment.appointment_type)
    local = to_local(appointment.start, zone)
    proposal = place(
        step=appointment.series_step or 1,
        window=window,
        preferred=local.time(),
        weekday=local.weekday(),
        duration=duration,
        buffer=buffer,
        availability=availability,
    )
    if proposal.start is not None and proposal.start <= now:
        return Covered(appointment, None, _("no free time is left ahead"))
    return Covered(appointment, proposal.start, proposal.problem)


def covered_with_proposals(
    *,
    practitioner: Practitioner | None,
    location: Location | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    now: dt.datetime,
    unsaved: bool,
) -> list[Covered]:
    """Each booked appointment the closure covers, with the nearest time it could move to. With
    `unsaved`, the closure is not in the database yet and is added to each availability."""
    zone = clinic_zone()
    bookings = covered_bookings(
        practitioner_id=practitioner.pk if practitioner else None,
        location_id=location.pk if location else None,
        starts_at=starts_at,
        ends_at=ends_at,
        now=now,
    )
    out = []
    for appointment in bookings:
        closed = []
        if unsaved:
            draft = Closure(
                practitioner=practitioner, location=location, starts_at=starts_at, ends_at=ends_at, reason=""
            )
            closed = [Busy(starts_at, ends_at, closure_label(draft, appointment.practitioner, zone))]
        out.append(nearest_allowed(appointment, now=now, also_closed=closed))
    return out


def outside_new_week(
    *,
    practitioner: Practitioner,
    location: Location,
    now: dt.datetime,
    blocks: list[WeeklyBlock] | None = None,
    removing: DatedHours | None = None,
) -> list[Appointment]:
    """The booked appointments ahead that the hours at `location` would leave outside after a
    change not saved yet: a week of `blocks` in place of the week there, or the extra hours
    `removing` gone (then only the bookings of its date that the hours hold now). Two queries."""
    zone = clinic_zone()
    held = hour_blocks(practitioner_id=practitioner.pk, location_id=location.pk, first=local_date(now, zone))
    if blocks is None:
        blocks = [WeeklyBlock(h.weekday, h.start, h.end) for h in held if h.weekday is not None]
    # The extra hours on dates stay (but the ones removed): a booking on a Saturday worked once is
    # not outside the hours.
    dated = [DatedBlock(h.date, h.start, h.end) for h in held if h.date is not None]
    gone = [] if removing is None else [DatedBlock(removing.date, removing.start, removing.end)]
    after = Availability(zone=zone, blocks=blocks, dated=[d for d in dated if d not in gone])
    ahead = Appointment.objects.filter(
        practitioner=practitioner,
        location=location,
        status=Appointment.Status.BOOKED,
        start__gt=now,
        start__lt=now + dt.timedelta(days=WEEK_HORIZON_DAYS),
    )
    before = None
    if removing is not None:
        first, last = day_bounds(removing.date, zone=zone)
        ahead = ahead.filter(start__lt=last, end__gt=first)
        before = Availability(zone=zone, blocks=blocks, dated=dated)
    # An availability with no other busy time: `problem` is then only "outside the hours".
    ahead = ahead.select_related(
        "patient", "practitioner", "location", "room", "appointment_type", "series__protocol"
    ).order_by("start", "pk")
    return [
        a
        for a in ahead
        if after.problem(a.start, a.end) is not None and (before is None or before.problem(a.start, a.end) is None)
    ]


def outside_hours_bookings(
    *, practitioner: Practitioner, now: dt.datetime, hours: list[HoursBlock] | None = None
) -> list[Appointment]:
    """The practitioner's booked appointments ahead that their hours (the week's and the extra
    hours on dates) leave outside, at the booking's location: what a week change left behind,
    until each is moved or cancelled, or the hours change back. Two queries; one given `hours`
    (`hour_blocks` of the practitioner from today)."""
    zone = clinic_zone()
    if hours is None:
        hours = hour_blocks(practitioner_id=practitioner.pk, first=local_date(now, zone))
    index = HoursIndex(hours, zone)
    ahead = (
        Appointment.objects.filter(
            practitioner=practitioner,
            status=Appointment.Status.BOOKED,
            start__gt=now,
            start__lt=now + dt.timedelta(days=WEEK_HORIZON_DAYS),
        )
        .select_related("patient", "practitioner", "location", "room", "appointment_type", "series__protocol")
        .order_by("start", "pk")
    )
    return [
        a
        for a in ahead
        if index.outside(practitioner_id=a.practitioner_id, location_id=a.location_id, start=a.start, end=a.end)
    ]


def booking_outside_hours(appointment: Appointment) -> bool:
    """Is this booking outside its practitioner's hours at its location that day? One query."""
    zone = clinic_zone()
    day = local_date(appointment.start, zone)
    index = HoursIndex(
        hour_blocks(
            practitioner_id=appointment.practitioner_id, location_id=appointment.location_id, first=day, last=day
        ),
        zone,
    )
    return index.outside(
        practitioner_id=appointment.practitioner_id,
        location_id=appointment.location_id,
        start=appointment.start,
        end=appointment.end,
    )


def upcoming_closures(*, practitioner: Practitioner | None, now: dt.datetime) -> list[Closure]:
    """Closures not over yet: with a practitioner, theirs and the clinic's and their locations'."""
    qs = Closure.objects.filter(ends_at__gt=now).select_related("practitioner", "location")
    if practitioner is not None:
        locations = set(practitioner.working_hours.values_list("location_id", flat=True))
        qs = qs.filter(
            Q(practitioner=practitioner)
            | Q(practitioner__isnull=True, location__isnull=True)
            | Q(practitioner__isnull=True, location_id__in=locations)
        )
    return list(qs.order_by("starts_at"))
