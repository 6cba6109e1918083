"""The slot half of the booking kernel: the refusals, the booking transaction, the practitioner's
lock and the one-slot check (the package's __init__ tells the whole kernel)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NotRequired, TypedDict, Unpack

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from clinic.integrity import constraint_name, integrity_message
from clinic.localtime import local_date
from clinic.models import AppointmentType, Location, Practitioner, Room
from patients.models import Patient
from treatments.models import Appointment
from treatments.scheduling.rules import as_sentence, type_times
from treatments.scheduling.selectors.availability import availability_for


class BookingError(Exception):
    """A booking that cannot be made; `message` is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SlotTaken(BookingError):
    def __init__(self, message: str | None = None):
        super().__init__(message or _("That time was just taken. Pick another."))


# The database rules a booking race is lost on (treatments migrations 0002 and 0006_booka, and
# Appointment.Meta): the time, or the series step, went to someone else.
SLOT_CONSTRAINTS = frozenset(
    {
        "appointment_no_overlap_practitioner",
        "appointment_no_overlap_patient",
        "appointment_no_overlap_room",
        "online_booking_no_overlap_held",
        "appointment_one_live_per_series_step",
    }
)

# The practitioners whose lock the current booking transaction already holds (None outside one).
_held: ContextVar[set[int] | None] = ContextVar("held_practitioners", default=None)


@contextmanager
def booking_transaction() -> Iterator[None]:
    """`transaction.atomic()` for a booking write. A lost race on the time or the step raises
    SlotTaken; any other refusal says what it was, or is logged and shown as the generic error
    (clinic/integrity.py) — never as "taken". A booking transaction inside another one knows the
    locks the outer one holds, so a booking made inside a hold's transaction locks nothing twice."""
    outer = _held.get()
    token = _held.set(set(outer) if outer is not None else set())
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        message = integrity_message(exc)
        if constraint_name(exc) in SLOT_CONSTRAINTS:
            raise SlotTaken(message) from exc
        raise BookingError(message) from exc
    finally:
        _held.reset(token)


def lock_practitioner(practitioner: Practitioner) -> None:
    """Serialise booking writes per practitioner on PostgreSQL: appointments and online holds live
    in two tables, so no exclusion constraint spans both; whoever takes this row lock first checks
    and writes, the other then sees its row. SQLite's IMMEDIATE transactions already serialise.

    A lock outside a transaction would be let go at once, so that is refused (as pretix's
    `lock_objects` does). Inside a booking transaction that holds it already, nothing is asked."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_practitioner() must be called inside transaction.atomic().")
    held = _held.get()
    if held is not None and practitioner.pk in held:
        return
    list(Practitioner.objects.select_for_update(no_key=True).filter(pk=practitioner.pk).values_list("pk", flat=True))
    if held is not None:
        held.add(practitioner.pk)


class Slot(TypedDict):
    """What a one-slot check asks: `appointment_type` at `start` with `practitioner` at `location`
    (and `room`, and `patient` free then), as seen at `now`, leaving out `exclude_ids` (the
    appointment being moved and the sessions it drags along)."""

    # None for an online hold: the patient is not known until their code is checked.
    patient: Patient | None
    practitioner: Practitioner
    location: Location
    appointment_type: AppointmentType
    start: dt.datetime
    now: dt.datetime
    room: Room | None
    exclude_ids: NotRequired[tuple[int, ...]]


def check_slot(**slot: Unpack[Slot]) -> None:
    """Raise BookingError with the sentence the user reads unless the slot can be taken. Takes the
    practitioner's lock first (once per booking transaction), so the answer holds until the write
    commits."""
    lock_practitioner(slot["practitioner"])
    problem = slot_problem(**slot)
    if problem:
        raise BookingError(problem)


def slot_problem(**slot: Unpack[Slot]) -> str | None:
    """check_slot's answer as the sentence the user reads, or None when the slot can be taken;
    reads only and takes no lock (a preview or an offer: the write checks again under the lock)."""
    start, now, room, location, patient = slot["start"], slot["now"], slot["room"], slot["location"], slot["patient"]
    if start.tzinfo is None:
        return _("The time has no time zone.")
    if start <= now:
        return _("That time is in the past.")
    if room is not None and room.location_id != location.pk:
        return _("That room is at another location.")
    duration, buffer = type_times(slot["appointment_type"])
    day = local_date(start)
    availability = availability_for(
        practitioner=slot["practitioner"],
        location=location,
        patient=patient,
        room=room,
        first=day,
        last=day,
        exclude_ids=slot.get("exclude_ids", ()),
        # Online holds stop only other online holds: the desk (a known patient) may book over one,
        # and the visitor is told when they enter their code (treatments/booking, issue 20) --
        # unless its deposit is being paid (issue 23): that one stops everyone.
        now=now if patient is None else None,
        paid_holds=True,
    )
    problem = availability.problem(start, start + duration, buffer=buffer)
    return as_sentence(problem) if problem else None


def slot_args_for(
    appointment: Appointment,
    start: dt.datetime,
    *,
    now: dt.datetime,
    practitioner: Practitioner | None = None,
    location: Location | None = None,
    later: tuple[Appointment, ...] | list[Appointment] = (),
    room: Room | None = None,
) -> Slot:
    """The arguments of check_slot / slot_problem for `appointment` moved to `start`: who and where
    it goes to (its own unless given; a new place leaves its room behind; `room`, another room of
    its place), its patient, and itself
    and the sessions it drags out of the way. The move service, its preview and the waitlist's
    offers all ask with these, so they ask the same."""
    return {
        "patient": appointment.patient,
        "practitioner": practitioner or appointment.practitioner,
        "location": location or appointment.location,
        "appointment_type": appointment.appointment_type,
        "start": start,
        "now": now,
        "room": room if room is not None else (appointment.room if location is None else None),
        "exclude_ids": (appointment.pk, *(a.pk for a in later)),
    }
