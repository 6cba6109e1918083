"""Appointments (a series' sessions and one-off visits) and their change history. When the desk may
check an appointment in or mark it a no-show is a rule of the one row (its status and start, now):
`Appointment.check_in_refusal` / `no_show_refusal`, which the calendar's buttons and the attendance
service both ask."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clinic.localtime import local_date
from clinic.models import AppointmentType, Location, Practitioner, Room
from patients.models import Patient

from .series import TreatmentSeries


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CHECKED_IN = "checked_in", _("Checked in")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    class CancelKind(models.TextChoices):
        PATIENT = "patient", _("Patient cancelled")
        CLINIC = "clinic", _("Clinic cancelled")
        LATE = "late", _("Late cancellation")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="appointments")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="appointments")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="appointments")
    series = models.ForeignKey(
        TreatmentSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    series_step = models.PositiveSmallIntegerField(null=True, blank=True)
    is_optional = models.BooleanField(default=False)
    # [start, end) in UTC; the type's buffer is kept free by the booking service.
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    cancel_kind = models.CharField(max_length=8, choices=CancelKind.choices, blank=True)
    cancel_reason = models.CharField(max_length=250, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    # The patient said "I will be there" from their portal link.
    patient_confirmed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    # Live appointments hold their time and their step of a series; cancelled and no-show ones
    # free both (a no-show's slot can still be given to a walk-in, its step re-booked).
    LIVE_STATUSES = (Status.BOOKED, Status.CHECKED_IN, Status.COMPLETED)

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["practitioner", "start"], name="appt_practitioner_start_idx"),
            models.Index(fields=["patient", "start"], name="appt_patient_start_idx"),
            models.Index(fields=["start"], name="appt_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appointment_end_after_start"),
            models.CheckConstraint(
                condition=Q(series__isnull=True, series_step__isnull=True)
                | Q(series__isnull=False, series_step__gte=1),
                name="appointment_series_step_with_series",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="appointment_cancelled_has_time",
            ),
            # One live appointment per step of a series; a cancelled or missed one may be re-booked.
            models.UniqueConstraint(
                fields=["series", "series_step"],
                condition=Q(status__in=["booked", "checked_in", "completed"]),
                name="appointment_one_live_per_series_step",
            ),
        ]
        # PostgreSQL also forbids overlaps for practitioner, room and patient: see the
        # btree_gist exclusion constraints in migration 0002.

    def __str__(self) -> str:
        return f"{self.appointment_type} {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE_STATUSES

    # --- Attendance: may it be checked in, or marked a no-show, now ---------------------------
    # They read only its status and start (the calendar asks them of its plain rows too).

    def check_in_refusal(self, now: dt.datetime) -> str | None:
        """Why this appointment cannot be checked in now, or None when it can."""
        reason = _check_in_reason(self, now)
        return None if reason is None else str(reason)

    def no_show_refusal(self, now: dt.datetime) -> str | None:
        """Why this appointment cannot be marked as a no-show now, or None when it can."""
        reason = _no_show_reason(self, now)
        return None if reason is None else str(reason)

    def may_check_in(self, now: dt.datetime) -> bool:
        """The same rule, without translating the reason (a busy day's cards each ask)."""
        return _check_in_reason(self, now) is None

    def may_mark_no_show(self, now: dt.datetime) -> bool:
        return _no_show_reason(self, now) is None


_Status = Appointment.Status
# Why an appointment in this status cannot be checked in, or marked as a no-show.
CHECK_IN_REFUSED: dict[str, Promise] = {
    _Status.CANCELLED: _("This appointment was cancelled: it cannot be checked in."),
    _Status.CHECKED_IN: _("This patient is already checked in."),
    _Status.COMPLETED: _("This appointment is already completed."),
    _Status.NO_SHOW: _("This appointment was marked as a no-show: book a new one instead."),
}
NO_SHOW_REFUSED: dict[str, Promise] = {
    _Status.CANCELLED: _("This appointment was cancelled: it cannot be a no-show."),
    _Status.NO_SHOW: _("This appointment is already marked as a no-show."),
    _Status.CHECKED_IN: _("This patient came: it cannot be a no-show."),
    _Status.COMPLETED: _("This patient came: it cannot be a no-show."),
}
_NOT_TODAY = _("Patients can only be checked in on the day of their appointment.")
_NOT_STARTED = _("An appointment can only be marked as a no-show once its start time has passed.")


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


class AppointmentChange(models.Model):
    """The history of a booking and its series: who, when, what, why."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("Booked")
        MOVED = "moved", _("Moved")
        CANCELLED = "cancelled", _("Cancelled")
        CHECKED_IN = "checked_in", _("Checked in")
        NO_SHOW = "no_show", _("Marked no-show")
        COMPLETED = "completed", _("Completed")
        ADDED = "added", _("Session added")
        DISCONTINUED = "discontinued", _("Series discontinued")
        REPLANNED = "replanned", _("Re-planned")

    series = models.ForeignKey(TreatmentSeries, null=True, blank=True, on_delete=models.CASCADE, related_name="changes")
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )
    kind = models.CharField(max_length=14, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    old_start = models.DateTimeField(null=True, blank=True)
    new_start = models.DateTimeField(null=True, blank=True)
    # Set when a move handed the appointment to another practitioner.
    old_practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    new_practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
