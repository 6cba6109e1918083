"""Moving appointments (one, or a session dragging the later ones of its series), and handing one
appointment to another practitioner as it moves. Part of the booking write path: import these from
treatments.scheduling.services.booking. Cancelling (services/booking_cancel.py) re-plans the rest
of a series with this module's planner of moves (`plan_moves`) and writer (`move_rows`)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from clinic.localtime import clinic_zone, local_date
from clinic.models import Location, Practitioner
from treatments.models import Appointment, AppointmentChange, Protocol, TreatmentSeries
from treatments.scheduling import messaging, notices
from treatments.scheduling.planning import plan_reach, plan_series
from treatments.scheduling.rules import allowed_window, as_sentence, type_times, window_text
from treatments.scheduling.selectors.availability import availability_around
from treatments.scheduling.services.kernel import (
    Actor,
    BookingError,
    booking_transaction,
    check_slot,
    history_entry,
    slot_args_for,
    slot_problem,
)


def session_step(session: Appointment) -> int:
    """A series session's number (a standalone appointment has none and never gets here)."""
    if session.series_step is None:
        raise ValueError(f"Appointment {session.pk} is not a session of a series.")
    return session.series_step


def series_protocol(session: Appointment) -> Protocol:
    if session.series is None:
        raise ValueError(f"Appointment {session.pk} is not a session of a series.")
    return session.series.protocol


def live_siblings(appointment: Appointment) -> list[Appointment]:
    """The other live sessions of its series, locked, in step order."""
    return list(
        Appointment.objects.select_for_update(of=("self",))
        .filter(series_id=appointment.series_id, status__in=Appointment.LIVE_STATUSES)
        .exclude(pk=appointment.pk)
        .order_by("series_step")
    )


def _require_movable(appointment: Appointment) -> None:
    if appointment.status != Appointment.Status.BOOKED:
        raise BookingError(
            _("Only a booked appointment can be changed; this one is %(status)s.")
            % {"status": appointment.get_status_display().lower()}
        )
    if appointment.series is not None and appointment.series.status == TreatmentSeries.Status.DISCONTINUED:
        raise BookingError(_("This series was discontinued."))


def move_rows(
    moves: list[tuple[Appointment, dt.datetime]],
    *,
    by: Actor,
    now: dt.datetime,
    reason: str,
    practitioner: Practitioner | None = None,
    location: Location | None = None,
    by_patient: bool = False,
) -> list[Appointment]:
    """Write the moves; with `practitioner` (and `location`), the first move's appointment goes to
    them (in the same save as its new time, so the constraints never see it with the new
    practitioner at the old time). A new location leaves the room behind (rooms belong to one)."""
    handed = moves[0][0].pk if moves and (practitioner is not None or location is not None) else None
    # Update in the direction of travel so no row passes over a sibling not yet moved (the
    # exclusion constraints check every row as it is written).
    later = moves and moves[0][1] > moves[0][0].start
    ordered = sorted(moves, key=lambda m: m[0].start, reverse=bool(later))
    olds = {appointment.pk: appointment.start for appointment, _start in moves}
    moved = []
    for appointment, start in ordered:
        old, old_practitioner = appointment.start, appointment.practitioner
        changes_hands = appointment.pk == handed
        if old == start and not changes_hands:
            continue
        appointment.start = start
        appointment.end = start + (appointment.end - old)
        fields = ["start", "end", "updated_at"]
        if old != start:
            # "I will be there" was said of the old time: the new one is not confirmed yet.
            appointment.patient_confirmed_at = None
            fields.append("patient_confirmed_at")
        if changes_hands and practitioner is not None:
            appointment.practitioner = practitioner
            fields.append("practitioner")
        if changes_hands and location is not None:
            appointment.location, appointment.room = location, None
            fields += ["location", "room"]
        appointment.save(update_fields=fields)
        history_entry(
            kind=AppointmentChange.Kind.MOVED,
            by=by,
            now=now,
            appointment=appointment,
            old=old,
            new=start,
            reason=reason,
            old_practitioner=old_practitioner if changes_hands and practitioner is not None else None,
            new_practitioner=practitioner if changes_hands else None,
        )
        messaging.appointment_changed(appointment=appointment, now=now)
        moved.append(appointment)
    # One notice for the whole change, the session asked for first (moves keep that order).
    notices.appointments_moved(
        moves=[(a, olds[a.pk]) for a, _start in moves if a in moved], now=now, by_patient=by_patient
    )
    return sorted(moved, key=lambda a: a.start)


def _other_practitioner(appointment: Appointment, practitioner: Practitioner | None) -> Practitioner | None:
    """The practitioner a move hands the appointment to: None when it stays with its own."""
    if practitioner is None or practitioner.pk == appointment.practitioner_id:
        return None
    if not practitioner.active:
        raise BookingError(
            _("%(who)s no longer takes appointments; choose another practitioner.") % {"who": practitioner.display_name}
        )
    return practitioner


def appointment_move(
    *,
    appointment: Appointment,
    start: dt.datetime,
    by: Actor,
    now: dt.datetime,
    reason: str = "",
    shift_later: bool = False,
    practitioner: Practitioner | None = None,
    location: Location | None = None,
    by_patient: bool = False,
) -> list[Appointment]:
    """Move one appointment (`by_patient`: the patient chose the new time, so the notice says
    "as you asked"); with `shift_later`, re-plan the later sessions of its series from the
    new time so the spacing holds. With `practitioner`, the appointment itself goes to them (their
    hours and closures at its location, their bookings); with `location`, it moves there too (a
    colleague who works elsewhere); the later sessions it drags keep theirs. Returns every
    appointment that moved.

    In order: the row and its siblings, locked; the series' window (rules); the slot (the kernel's
    check, against the practitioner it goes to); the later sessions placed (the planner); then the
    writes, their history and one notice."""
    if start.tzinfo is None:
        raise BookingError(_("The time has no time zone."))
    with booking_transaction():
        moves, other, elsewhere = _planned_moves(
            appointment, start, now=now, shift_later=shift_later, practitioner=practitioner, location=location
        )
        return move_rows(
            moves, by=by, now=now, reason=reason, practitioner=other, location=elsewhere, by_patient=by_patient
        )


def appointment_move_preview(
    *,
    appointment: Appointment,
    start: dt.datetime,
    now: dt.datetime,
    shift_later: bool = False,
    practitioner: Practitioner | None = None,
    location: Location | None = None,
) -> list[tuple[Appointment, dt.datetime]]:
    """What `appointment_move` would do, without doing it: (session, its new start) for the session
    and each later one it drags, by the same checks and planner; BookingError when it would refuse.
    The desk's plain move page shows it before the desk confirms."""
    if start.tzinfo is None:
        raise BookingError(_("The time has no time zone."))
    with booking_transaction():
        moves, _other, _elsewhere = _planned_moves(
            appointment, start, now=now, shift_later=shift_later, practitioner=practitioner, location=location
        )
    return moves


def _planned_moves(
    appointment: Appointment,
    start: dt.datetime,
    *,
    now: dt.datetime,
    shift_later: bool,
    practitioner: Practitioner | None,
    location: Location | None,
) -> tuple[list[tuple[Appointment, dt.datetime]], Practitioner | None, Location | None]:
    """Inside the caller's transaction: the row locked, the move checked and the later sessions it
    drags planned. Returns the moves, the practitioner it goes to and the place it moves to (None:
    its own)."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related(
            "series__protocol__appointment_type", "appointment_type", "practitioner", "location", "patient", "room"
        )
        .get(pk=appointment.pk)
    )
    _require_movable(appointment)
    if start <= now:
        raise BookingError(_("That time is in the past."))
    other = _other_practitioner(appointment, practitioner)
    elsewhere = location if location is not None and location.pk != appointment.location_id else None
    if elsewhere is not None and not elsewhere.active:
        raise BookingError(_("%(place)s is no longer in use.") % {"place": elsewhere.name})
    later = _later_in_window(appointment, start, now=now, shift_later=shift_later)
    duration, buffer = type_times(appointment.appointment_type)
    # The session itself: the kernel's one check, against the practitioner and place it goes to
    # (the calendar's preview asks the same, move_slot_problem); the later ones stay with theirs.
    check_slot(**slot_args_for(appointment, start, now=now, practitioner=other, location=elsewhere, later=later))
    moves = [(appointment, start)]
    if appointment.series_id is not None:
        moves = plan_moves(appointment, start, later, duration=duration, buffer=buffer, first_checked=True)
    return moves, other, elsewhere


def move_slot_problem(
    *,
    appointment: Appointment,
    start: dt.datetime,
    now: dt.datetime,
    practitioner: Practitioner | None = None,
    location: Location | None = None,
) -> str | None:
    """The refusal appointment_move would give for the session's own slot, read without locks:
    what the calendar's move dialog shows before the desk confirms (None: the slot is free).
    The series window is the preview's own (selectors/move_preview.py, the same rule)."""
    other = practitioner if practitioner is not None and practitioner.pk != appointment.practitioner_id else None
    elsewhere = location if location is not None and location.pk != appointment.location_id else None
    return slot_problem(**slot_args_for(appointment, start, now=now, practitioner=other, location=elsewhere, later=[]))


def _later_in_window(
    appointment: Appointment, start: dt.datetime, *, now: dt.datetime, shift_later: bool
) -> list[Appointment]:
    """For a series session: refuse a `start` outside the window its live neighbours allow, and
    return the later booked sessions that move with it (only with `shift_later`)."""
    if appointment.series_id is None:
        return []
    protocol, step = series_protocol(appointment), session_step(appointment)
    siblings = live_siblings(appointment)
    zone = clinic_zone()
    window = allowed_window(
        session=appointment,
        siblings=siblings,
        rhythm=protocol,
        zone=zone,
        today=local_date(now, zone),
        shift_later=shift_later,
    )
    if window is None:
        raise BookingError(_("Its neighbours leave no date for this session; move them first."))
    if not window.contains(local_date(start, zone)):
        raise BookingError(
            _("Session %(step)d must fall %(span)s to keep the spacing.") % {"step": step, "span": window_text(window)}
        )
    if not shift_later:
        return []
    return [a for a in siblings if (a.series_step or 0) > step and a.status == Appointment.Status.BOOKED]


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
