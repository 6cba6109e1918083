"""Which messages an appointment needs. Booking, moving, cancelling and signing call these inside
their own transaction; they store Message rows through notifications.services (the outbox), with
dedupe keys so calling twice changes nothing.

CONTRACT (shared by the desk, practitioner and portal code): the signatures below are fixed.
"""

import datetime as dt

from .models import Appointment, TreatmentSeries


def series_booked(*, series: TreatmentSeries, now: dt.datetime) -> None:
    """A whole series was just booked: a confirmation listing every date (with an .ics) and the
    reminders before each session."""


def appointment_changed(*, appointment: Appointment, now: dt.datetime) -> None:
    """An appointment was booked, moved, cancelled or marked no-show: re-time its pending
    reminders, or cancel them when it is no longer live."""


def session_signed(*, appointment: Appointment, now: dt.datetime) -> None:
    """A session record was signed: aftercare that evening, a day-2 check-in, a day-7 follow-up;
    after the last session of a series, outcome check-ins at 6 and 12 weeks."""
