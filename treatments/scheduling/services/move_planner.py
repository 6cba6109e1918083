"""Where a moved series session and the later ones it drags go: the availability read once for the
whole reach of the plan, then the planner. The move (booking_changes.appointment_move) and the
re-plan after a cancellation (booking_cancel) call it after the kernel's check of the session's own
slot, inside their transaction; what it returns, `move_writer.move_rows` writes."""

from __future__ import annotations

import datetime as dt

from clinic.localtime import clinic_zone, local_date
from treatments.models import Appointment
from treatments.scheduling.planning import plan_series
from treatments.scheduling.rules import as_sentence, plan_reach, series_protocol, session_step
from treatments.scheduling.selectors.availability import availability_around
from treatments.scheduling.services.kernel.slots import BookingError


def plan_moves(
    appointment: Appointment,
    start: dt.datetime,
    later: list[Appointment],
    *,
    duration: dt.timedelta,
    buffer: dt.timedelta,
    first_checked: bool = False,
) -> list[tuple[Appointment, dt.datetime]]:
    """Where the moved session and the later ones it drags go; BookingError naming the session and
    the reason when one does not fit. `first_checked`: the session's own slot was already checked
    (against the practitioner it goes to), so only the later sessions are placed here."""
    protocol = series_protocol(appointment)
    steps = [appointment, *later]
    numbers = [session_step(a) for a in steps]
    zone = clinic_zone()
    horizon = plan_reach(
        local_date(start, zone), [protocol.interval_after(n) for n in numbers], len(steps), protocol.window_after_days
    )
    availability = availability_around(
        appointment, first=local_date(start, zone), last=horizon, exclude_ids=[a.pk for a in later]
    )
    problem = None if first_checked else availability.problem(start, start + duration, buffer=buffer)
    if problem:
        raise BookingError(as_sentence(problem))
    if not later:
        return [(appointment, start)]
    proposals = plan_series(
        first=start,
        intervals=[protocol.interval_after(n) for n in numbers[:-1]],
        count=len(steps),
        before_days=protocol.window_before_days,
        after_days=protocol.window_after_days,
        duration=duration,
        buffer=buffer,
        availability=availability,
        first_step=numbers[0],
    )
    problems = [p.problem for p in proposals[1:] if p.problem]
    if problems:
        raise BookingError(" ".join(as_sentence(p) for p in problems))
    return [(a, p.start) for a, p in zip(steps, proposals, strict=True) if p.start is not None]
