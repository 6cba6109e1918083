"""Check-in and no-show from the day calendar. Each keeps its history and re-times the
appointment's messages inside the same transaction."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic.localtime import local_date
from treatments import hooks
from treatments.models import Appointment, AppointmentChange
from treatments.scheduling import messaging


class AttendanceError(Exception):
    """A refusal the desk can read."""


Status = Appointment.Status

# Why an appointment in this status cannot be checked in, or marked as a no-show.
CHECK_IN_REFUSED = {
    Status.CANCELLED: gettext_lazy("This appointment was cancelled: it cannot be checked in."),
    Status.CHECKED_IN: gettext_lazy("This patient is already checked in."),
    Status.COMPLETED: gettext_lazy("This appointment is already completed."),
    Status.NO_SHOW: gettext_lazy("This appointment was marked as a no-show: book a new one instead."),
}
NO_SHOW_REFUSED = {
    Status.CANCELLED: gettext_lazy("This appointment was cancelled: it cannot be a no-show."),
    Status.NO_SHOW: gettext_lazy("This appointment is already marked as a no-show."),
    Status.CHECKED_IN: gettext_lazy("This patient came: it cannot be a no-show."),
    Status.COMPLETED: gettext_lazy("This patient came: it cannot be a no-show."),
}


def check_in_refusal(appointment: Appointment, now: dt.datetime) -> str | None:
    """Why this appointment cannot be checked in now, or None when it can."""
    if appointment.status in CHECK_IN_REFUSED:
        return str(CHECK_IN_REFUSED[appointment.status])
    if local_date(appointment.start) != local_date(now):
        return _("Patients can only be checked in on the day of their appointment.")
    return None


def no_show_refusal(appointment: Appointment, now: dt.datetime) -> str | None:
    """Why this appointment cannot be marked as a no-show now, or None when it can."""
    if appointment.status in NO_SHOW_REFUSED:
        return str(NO_SHOW_REFUSED[appointment.status])
    if now < appointment.start:
        return _("An appointment can only be marked as a no-show once its start time has passed.")
    return None


def _attendance_record(appointment: Appointment, step, *, by, now: dt.datetime, **stamps) -> Appointment:
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
        AppointmentChange.objects.create(series_id=current.series_id, appointment=current, kind=kind, by=by, at=now)
        messaging.appointment_changed(appointment=current, now=now)
        outcome = "attended" if status == Status.CHECKED_IN else "no_show"  # the hook's words (treatments.hooks)
        hooks.send_on_commit(
            hooks.appointment_outcome, sender=Appointment, appointment_id=current.pk, status=outcome, by=by, now=now
        )
    return current


# Each attendance step: what may refuse it, the status it sets, the history entry it writes.
CHECK_IN = (check_in_refusal, Status.CHECKED_IN, AppointmentChange.Kind.CHECKED_IN)
NO_SHOW = (no_show_refusal, Status.NO_SHOW, AppointmentChange.Kind.NO_SHOW)


def appointment_check_in(*, appointment: Appointment, by, now: dt.datetime) -> Appointment:
    return _attendance_record(appointment, CHECK_IN, by=by, now=now, checked_in_at=now)


def appointment_mark_no_show(*, appointment: Appointment, by, now: dt.datetime) -> Appointment:
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
