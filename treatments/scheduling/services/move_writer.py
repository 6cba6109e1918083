"""Writing a move: each row saved at its new time (and practitioner, place or room), its history row
(the kernel's), its reminders re-timed (messaging), then one change notice for the whole move
(notices). The last step of appointment_move and of the re-plan after a cancellation."""

from __future__ import annotations

import datetime as dt

from clinic.models import Location, Practitioner, Room
from treatments.models import Appointment, AppointmentChange
from treatments.scheduling import messaging, notices
from treatments.scheduling.services.kernel.history import Actor, history_entry


def move_rows(
    moves: list[tuple[Appointment, dt.datetime]],
    *,
    by: Actor,
    now: dt.datetime,
    reason: str,
    practitioner: Practitioner | None = None,
    location: Location | None = None,
    by_patient: bool = False,
    room: Room | None = None,
) -> list[Appointment]:
    """Write the moves (`room`: the first move's appointment takes that room of its place); with
    `practitioner` (and `location`), the first move's appointment goes to them (in the same save
    as its new time, so the constraints never see it with the new practitioner at the old time).
    A new location leaves the room behind (rooms belong to one)."""
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
        elif room is not None and appointment.pk == moves[0][0].pk and room.pk != appointment.room_id:
            appointment.room = room
            fields.append("room")
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
