"""Attendance rules, pure: why an appointment cannot be checked in, or marked as a no-show, now.
The calendar (which buttons a card shows) and the attendance service (which refuses) both ask here."""

import datetime as dt

from django.utils.functional import Promise
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


_NOT_TODAY = gettext_lazy("Patients can only be checked in on the day of their appointment.")
_NOT_STARTED = gettext_lazy("An appointment can only be marked as a no-show once its start time has passed.")


def _check_in_reason(appointment: Appointment, now: dt.datetime) -> Promise | None:
    if appointment.status in CHECK_IN_REFUSED:
        return CHECK_IN_REFUSED[appointment.status]
    if local_date(appointment.start) != local_date(now):
        return _NOT_TODAY
    return None


def _no_show_reason(appointment: Appointment, now: dt.datetime) -> Promise | None:
    if appointment.status in NO_SHOW_REFUSED:
        return NO_SHOW_REFUSED[appointment.status]
    if now < appointment.start:
        return _NOT_STARTED
    return None


def check_in_refusal(appointment: Appointment, now: dt.datetime) -> str | None:
    """Why this appointment cannot be checked in now, or None when it can."""
    reason = _check_in_reason(appointment, now)
    return None if reason is None else str(reason)


def no_show_refusal(appointment: Appointment, now: dt.datetime) -> str | None:
    """Why this appointment cannot be marked as a no-show now, or None when it can."""
    reason = _no_show_reason(appointment, now)
    return None if reason is None else str(reason)


def may_check_in(appointment: Appointment, now: dt.datetime) -> bool:
    """The same rule, without translating the reason (a busy day's cards each ask)."""
    return _check_in_reason(appointment, now) is None


def may_mark_no_show(appointment: Appointment, now: dt.datetime) -> bool:
    return _no_show_reason(appointment, now) is None
