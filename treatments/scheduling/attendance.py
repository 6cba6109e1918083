"""Attendance rules, pure: why an appointment cannot be checked in, or marked as a no-show, now.
The calendar (which buttons a card shows) and the attendance service (which refuses) both ask here."""

import datetime as dt

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic.localtime import local_date
from treatments.models import Appointment

Status = Appointment.Status

# Why an appointment in this status cannot be checked in, or marked as a no-show.
CHECK_IN_REFUSED: dict[str, Promise] = {
    Status.CANCELLED: gettext_lazy("This appointment was cancelled: it cannot be checked in."),
    Status.CHECKED_IN: gettext_lazy("This patient is already checked in."),
    Status.COMPLETED: gettext_lazy("This appointment is already completed."),
    Status.NO_SHOW: gettext_lazy("This appointment was marked as a no-show: book a new one instead."),
}
NO_SHOW_REFUSED: dict[str, Promise] = {
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
