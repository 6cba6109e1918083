"""Moving appointments (one, or a session dragging the later ones of its series), and handing one
appointment to another practitioner as it moves. Part of the booking write path: import these from
treatments.scheduling.services.booking.

A move runs one way, each stage entered once: this module locks the rows and asks the series rules
(rules.py) where the session may go; the kernel checks its own slot under the practitioner's lock
(kernel/slots.py); `move_planner.plan_moves` places the later sessions it drags; and
`move_writer.move_rows` writes the rows, their history (kernel/history.py), their reminders
(messaging) and one notice (notices). Cancelling (booking_cancel.py) re-plans with the same two."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from clinic.localtime import clinic_zone, local_date
from clinic.models import Location, Practitioner, Room
from treatments.models import Appointment, TreatmentSeries
from treatments.scheduling.rules import allowed_window, series_protocol, session_step, type_times, window_text
from treatments.scheduling.services.kernel.history import Actor
from treatments.scheduling.services.kernel.slots import (
    BookingError,
    booking_transaction,
    check_slot,
    slot_args_for,
    slot_problem,
)
from treatments.scheduling.services.move_planner import plan_moves
from treatments.scheduling.services.move_writer import move_rows


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
    room: Room | None = None,
) -> list[Appointment]:
    """Move one appointment (`room`: into that room of its place, as a waitlist claim does when
    its own is taken then) (`by_patient`: the patient chose the new time, so the notice says
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
            appointment,
            start,
            now=now,
            shift_later=shift_later,
            practitioner=practitioner,
            location=location,
            room=room,
        )
        return move_rows(
            moves,
            by=by,
            now=now,
            reason=reason,
            practitioner=other,
            location=elsewhere,
            by_patient=by_patient,
            room=room,
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
    room: Room | None = None,
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
    if room is not None and (elsewhere is not None or room.location_id != appointment.location_id):
        raise BookingError(_("That room is at another location."))
    check_slot(
        **slot_args_for(appointment, start, now=now, practitioner=other, location=elsewhere, later=later, room=room)
    )
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
    siblings = live_siblings(appointment)
    protocol, step = series_protocol(appointment), session_step(appointment)
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
