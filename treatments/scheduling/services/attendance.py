"""Check-in and no-show from the day calendar. Each keeps its history and re-times the
appointment's messages inside the same transaction."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from clinic.localtime import local_date
from treatments.models import Appointment, AppointmentChange
from treatments.scheduling import messaging


class AttendanceError(Exception):
    """A refusal the desk can read."""


def check_in_refusal(appointment: Appointment, now: dt.datetime) -> str | None:
    """Why this appointment cannot be checked in now, or None when it can."""
    status = appointment.status
    if status == Appointment.Status.CANCELLED:
        return _("This appointment was cancelled: it cannot be checked in.")
    if status == Appointment.Status.CHECKED_IN:
        return _("This patient is already checked in.")
    if status == Appointment.Status.COMPLETED:
        return _("This appointment is already completed.")
    if status == Appointment.Status.NO_SHOW:
        return _("This appointment was marked as a no-show: book a new one instead.")
    if local_date(appointment.start) != local_date(now):
        return _("Patients can only be checked in on the day of their appointment.")
    return None


def no_show_refusal(appointment: Appointment, now: dt.datetime) -> str | None:
    status = appointment.status
    if status == Appointment.Status.CANCELLED:
        return _("This appointment was cancelled: it cannot be a no-show.")
    if status == Appointment.Status.NO_SHOW:
        return _("This appointment is already marked as a no-show.")
    if status in (Appointment.Status.CHECKED_IN, Appointment.Status.COMPLETED):
        return _("This patient came: it cannot be a no-show.")
    if now < appointment.start:
        return _("An appointment can only be marked as a no-show once its start time has passed.")
    return None


def _locked(appointment: Appointment) -> Appointment:
    # Lock the row so a check-in and a cancellation at the same moment cannot both win.
    return Appointment.objects.select_for_update().get(pk=appointment.pk)


def appointment_check_in(*, appointment: Appointment, by, now: dt.datetime) -> Appointment:
    with transaction.atomic():
        current = _locked(appointment)
        refusal = check_in_refusal(current, now)
        if refusal:
            raise AttendanceError(refusal)
        current.status = Appointment.Status.CHECKED_IN
        current.checked_in_at = now
        current.save(update_fields=["status", "checked_in_at", "updated_at"])
        AppointmentChange.objects.create(
            series_id=current.series_id, appointment=current, kind=AppointmentChange.Kind.CHECKED_IN, by=by, at=now
        )
        messaging.appointment_changed(appointment=current, now=now)
    return current


def appointment_mark_no_show(*, appointment: Appointment, by, now: dt.datetime) -> Appointment:
    with transaction.atomic():
        current = _locked(appointment)
        refusal = no_show_refusal(current, now)
        if refusal:
            raise AttendanceError(refusal)
        current.status = Appointment.Status.NO_SHOW
        current.save(update_fields=["status", "updated_at"])
        AppointmentChange.objects.create(
            series_id=current.series_id, appointment=current, kind=AppointmentChange.Kind.NO_SHOW, by=by, at=now
        )
        messaging.appointment_changed(appointment=current, now=now)
    return current
