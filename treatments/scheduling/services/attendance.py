"""Check-in and no-show from the day calendar. Each keeps its history and re-times the
appointment's messages inside the same transaction."""

import datetime as dt
from collections.abc import Callable
from typing import TypeAlias

from django.db import transaction

from treatments import hooks
from treatments.models import Appointment, AppointmentChange
from treatments.scheduling import messaging
from treatments.scheduling.services.kernel.history import Actor, history_entry

Status = Appointment.Status


class AttendanceError(Exception):
    """A refusal the desk can read."""


# Each attendance step: what may refuse it, the status it sets, the history entry it writes.
Step: TypeAlias = tuple[Callable[[Appointment, dt.datetime], str | None], str, str]


def _attendance_record(
    appointment: Appointment, step: Step, *, by: Actor, now: dt.datetime, **stamps: dt.datetime
) -> Appointment:
    """Lock the row (a check-in and a cancellation at the same moment cannot both win), refuse
    with the reason, or set the status, keep the history and re-time the messages."""
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        refusal, status, kind = step
        reason = refusal(current, now)
        if reason:
            raise AttendanceError(reason)
        current.status = status
        for name, value in stamps.items():
            setattr(current, name, value)
        current.save(update_fields=["status", *stamps, "updated_at"])
        history_entry(kind=kind, by=by, now=now, appointment=current)
        messaging.appointment_changed(appointment=current, now=now)
        outcome = "attended" if status == Status.CHECKED_IN else "no_show"  # the hook's words (treatments.hooks)
        hooks.send_on_commit(
            hooks.appointment_outcome, sender=Appointment, appointment_id=current.pk, status=outcome, by=by, now=now
        )
    return current


CHECK_IN: Step = (Appointment.check_in_refusal, Status.CHECKED_IN, AppointmentChange.Kind.CHECKED_IN)
NO_SHOW: Step = (Appointment.no_show_refusal, Status.NO_SHOW, AppointmentChange.Kind.NO_SHOW)


def appointment_check_in(*, appointment: Appointment, by: Actor, now: dt.datetime) -> Appointment:
    return _attendance_record(appointment, CHECK_IN, by=by, now=now, checked_in_at=now)


def appointment_mark_no_show(*, appointment: Appointment, by: Actor, now: dt.datetime) -> Appointment:
    return _attendance_record(appointment, NO_SHOW, by=by, now=now)


def appointment_patient_confirm(*, appointment_id: int, now: dt.datetime) -> bool:
    """ "I will be there", from the portal or a "C" reply by text: only a booked session still
    ahead can be confirmed. Returns False when there was none."""
    with transaction.atomic():
        updated = Appointment.objects.filter(pk=appointment_id, status=Status.BOOKED, start__gt=now).update(
            patient_confirmed_at=now,
            updated_at=now,  # the desk's open day sees the change (calendar_version)
        )
    return bool(updated)
