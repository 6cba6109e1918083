"""What every booking write shares: the errors shown to the desk, the transaction that turns a
lost race into SlotTaken (by the refused constraint's name), the one-slot check, and the history row. See booking.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from clinic.integrity import constraint_name, integrity_message
from clinic.models import AppointmentType, Location, Practitioner, Room, clinic_zone
from patients.models import Patient
from treatments.models import Appointment, AppointmentChange
from treatments.scheduling import messaging
from treatments.scheduling.availability import local_date
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


@contextmanager
def _booking_transaction() -> Iterator[None]:
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        # A lost race on the time or the step is "taken"; any other refusal says what it was, or
        # is logged and shown as the generic error (clinic/integrity.py) — never as "taken".
        message = integrity_message(exc)
        if constraint_name(exc) in SLOT_CONSTRAINTS:
            raise SlotTaken(message) from exc
        raise BookingError(message) from exc


def _lock_practitioner(practitioner: Practitioner) -> None:
    """Serialise booking writes per practitioner on PostgreSQL: appointments and online holds live
    in two tables, so no exclusion constraint spans both; whoever takes this row lock first checks
    and writes, the other then sees its row. SQLite's IMMEDIATE transactions already serialise."""
    list(Practitioner.objects.select_for_update(no_key=True).filter(pk=practitioner.pk).values_list("pk", flat=True))


def _sentence(clause: str) -> str:
    clause = capfirst(clause.strip())
    return clause if clause.endswith((".", "!", "?")) else clause + "."


def _type_times(appointment_type: AppointmentType) -> tuple[dt.timedelta, dt.timedelta]:
    return dt.timedelta(minutes=appointment_type.duration_minutes), dt.timedelta(
        minutes=appointment_type.buffer_minutes
    )


def _check_one(
    *,
    # None for an online hold: the patient is not known until their code is checked.
    patient: Patient | None,
    practitioner: Practitioner,
    location: Location,
    appointment_type: AppointmentType,
    start: dt.datetime,
    now: dt.datetime,
    room: Room | None,
    exclude_ids: tuple[int, ...] = (),
) -> None:
    if start.tzinfo is None:
        raise BookingError(_("The time has no time zone."))
    if start <= now:
        raise BookingError(_("That time is in the past."))
    if room is not None and room.location_id != location.pk:
        raise BookingError(_("That room is at another location."))
    duration, buffer = _type_times(appointment_type)
    day = local_date(start, clinic_zone())
    _lock_practitioner(practitioner)
    availability = availability_for(
        practitioner=practitioner,
        location=location,
        patient=patient,
        room=room,
        first=day,
        last=day,
        exclude_ids=exclude_ids,
        # Online holds stop only other online holds: the desk (a known patient) may book over one,
        # and the visitor is told when they enter their code (treatments/booking, issue 20).
        now=now if patient is None else None,
    )
    problem = availability.problem(start, start + duration, buffer=buffer)
    if problem:
        raise BookingError(_sentence(problem))


def _history(
    *,
    kind: str,
    by,
    now: dt.datetime,
    appointment=None,
    series=None,
    old=None,
    new=None,
    reason="",
    old_practitioner: Practitioner | None = None,
    new_practitioner: Practitioner | None = None,
):
    return AppointmentChange.objects.create(
        kind=kind,
        by=by,
        at=now,
        appointment=appointment,
        series=series if series is not None else getattr(appointment, "series", None),
        old_start=old,
        new_start=new,
        old_practitioner=old_practitioner,
        new_practitioner=new_practitioner,
        reason=reason[:250],
    )


def _cancel_one(*, appointment: Appointment, kind: str, reason: str, by, now: dt.datetime) -> None:
    """Cancel a booked appointment inside the caller's transaction: status, history, messages."""
    appointment.status = Appointment.Status.CANCELLED
    appointment.cancel_kind = kind
    appointment.cancel_reason = reason[:250]
    appointment.cancelled_at = now
    appointment.save(update_fields=["status", "cancel_kind", "cancel_reason", "cancelled_at", "updated_at"])
    _history(
        kind=AppointmentChange.Kind.CANCELLED,
        by=by,
        now=now,
        appointment=appointment,
        old=appointment.start,
        reason=reason,
    )
    messaging.appointment_changed(appointment=appointment, now=now)
