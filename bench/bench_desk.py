"""Series planning speed: a 6-session plan against a year of one practitioner's bookings, pure
(planner only) and with the three availability queries against the seeded database."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from bench.core import Context, Result, benchmark, time_per_op
from clinic.localtime import local_datetime
from treatments.scheduling.availability import Availability, Busy, WeeklyBlock
from treatments.scheduling.planning import check_proposals, plan_series

ZONE = ZoneInfo("America/Chicago")
MIN = dt.timedelta(minutes=1)


def year_of_bookings(first: dt.date, *, per_day: int = 8, seed: int = 7) -> list[Busy]:
    """A busy practitioner: `per_day` 30-minute bookings (+10 buffer) on each weekday of a year."""
    rng = random.Random(seed)
    out = []
    for offset in range(365):
        day = first + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for slot in rng.sample(range(16), per_day):  # 16 half-hour starts 08:00-16:00
            start = local_datetime(day, dt.time(8 + slot // 2, 30 * (slot % 2)), ZONE)
            out.append(Busy(start, start + 40 * MIN, "booked"))
    return out


def _availability(first: dt.date) -> Availability:
    blocks = [WeeklyBlock(d, dt.time(a), dt.time(b)) for d in range(5) for a, b in ((8, 12), (13, 17))]
    return Availability(zone=ZONE, blocks=blocks, bookings=year_of_bookings(first))


@benchmark
def plan_six_sessions_against_a_year(_ctx: Context) -> list[Result]:
    first_day = dt.date(2026, 1, 5)
    availability = _availability(first_day)
    # Session 1 where the desk would put it: the free time nearest 09:00 that day.
    first = availability.nearest_start(dt.date(2026, 3, 3), dt.time(9), 30 * MIN, 10 * MIN)
    assert first is not None  # the bench year (fixed seed) has free time on 3 March
    kwargs: dict[str, Any] = {
        "intervals": [14] * 5,
        "before_days": 3,
        "after_days": 7,
        "duration": 30 * MIN,
        "buffer": 10 * MIN,
        "availability": availability,
    }
    proposals = plan_series(first=first, count=6, **kwargs)
    starts = [p.start for p in proposals if p.start]
    plan = time_per_op(lambda: plan_series(first=first, count=6, **kwargs), repeat=50)
    check = time_per_op(lambda: check_proposals(starts=starts, now=first - dt.timedelta(days=1), **kwargs), repeat=50)
    note = f"{len(availability.bookings)} bookings in the year; {sum(p.ok for p in proposals)}/6 placed"
    return [
        Result("desk: plan 6 sessions vs a year of bookings", plan, 50, note=note),
        Result("desk: re-check a 6-session plan", check, 50, note=note),
    ]


@benchmark
def patient_page(ctx: Context) -> list[Result]:
    from patients.models import Patient

    patient = Patient.objects.order_by("pk").first()
    if patient is None:
        return []
    client = ctx.client("desk")
    url = f"/desk/patients/{patient.pk}/"
    seconds = time_per_op(lambda: client.get(url), repeat=20)
    return [Result("desk: patient page", seconds, 20, kind="page")]


@benchmark
def plan_from_the_database(_ctx: Context) -> list[Result]:
    """What the "Book a series" page does: load the plan's availability (3 queries), then plan."""
    from clinic.localtime import clinic_zone, local_date
    from clinic.models import WorkingHours
    from treatments.models import Protocol
    from treatments.scheduling.selectors.availability import availability_for

    hours = WorkingHours.objects.select_related("practitioner", "location").first()
    protocol = Protocol.objects.filter(required_sessions__gte=6).select_related("appointment_type").first()
    if hours is None or protocol is None:
        return []
    zone = clinic_zone()
    today = local_date(dt.datetime.now(dt.UTC), zone)
    first_day = today + dt.timedelta(days=(hours.weekday - today.weekday()) % 7 + 7)
    kind = protocol.appointment_type
    duration, buffer = kind.duration_minutes * MIN, kind.buffer_minutes * MIN

    intervals = [protocol.interval_after(s) for s in range(1, 6)]
    # The range the "Book a series" page loads: the plan's span plus every window's late side.
    last_day = first_day + dt.timedelta(days=sum(intervals) + 6 * protocol.window_after_days + 1)

    def run():
        availability = availability_for(
            practitioner=hours.practitioner,
            location=hours.location,
            first=first_day,
            last=last_day,
        )
        first = local_datetime(first_day, hours.start, zone)
        return plan_series(
            first=first,
            count=6,
            intervals=intervals,
            before_days=protocol.window_before_days,
            after_days=protocol.window_after_days,
            duration=duration,
            buffer=buffer,
            availability=availability,
        )

    seconds = time_per_op(run, repeat=20)
    return [Result("desk: load availability + plan 6 sessions (DB)", seconds, 20, note=protocol.name)]
