"""A condition's protocol (the series template, clinic setup) and a patient's treatment series."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clinic.models import AppointmentType, Location, Practitioner
from patients.models import Patient


class Protocol(models.Model):
    """A condition's series template. Intervals are in days between consecutive sessions; the
    allowed window around each step's target is a clinic setting (no trial defines one)."""

    name = models.CharField(max_length=120, unique=True)
    condition = models.SlugField(max_length=60, help_text=_("e.g. knee-oa, low-back, tennis-elbow"))
    condition_label = models.CharField(max_length=120)
    citation = models.CharField(max_length=200, blank=True)
    required_sessions = models.PositiveSmallIntegerField()
    optional_sessions = models.PositiveSmallIntegerField(default=0)
    as_needed = models.BooleanField(default=False, help_text=_("More sessions may follow as needed."))
    target_interval_days = models.PositiveSmallIntegerField()
    # Per-step intervals where a protocol changes spacing, e.g. [28, 28, 56]; empty = target.
    step_intervals = models.JSONField(default=list, blank=True)
    window_before_days = models.PositiveSmallIntegerField(default=7)
    window_after_days = models.PositiveSmallIntegerField(default=14)
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="protocols")
    solution = models.CharField(max_length=200, blank=True)
    outcome_measures = models.CharField(max_length=200, blank=True)
    aftercare_slug = models.SlugField(max_length=80, blank=True, help_text=_("Slug of the education aftercare page."))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["condition_label", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(required_sessions__gte=1), name="protocol_at_least_one_session"),
            models.CheckConstraint(condition=Q(target_interval_days__gte=1), name="protocol_interval_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def interval_after(self, step: int) -> int:
        """Days from session `step` (1-based) to the next one."""
        if step - 1 < len(self.step_intervals):
            return int(self.step_intervals[step - 1])
        return self.target_interval_days


class Side(models.TextChoices):
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")
    BOTH = "both", _("Both")
    NONE = "none", _("Not applicable")


class TreatmentSeries(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        DISCONTINUED = "discontinued", _("Discontinued")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="series")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="series")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="series")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="series")
    side = models.CharField(max_length=5, choices=Side.choices, default=Side.NONE)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    planned_sessions = models.PositiveSmallIntegerField(help_text=_("Required sessions plus optional ones added."))
    consent_confirmed_at = models.DateTimeField(null=True, blank=True)
    discontinued_at = models.DateTimeField(null=True, blank=True)
    discontinued_reason = models.CharField(max_length=250, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("treatment series")
        constraints = [
            models.CheckConstraint(condition=Q(planned_sessions__gte=1), name="series_planned_sessions_positive"),
            models.CheckConstraint(
                condition=~Q(status="discontinued") | Q(discontinued_at__isnull=False),
                name="series_discontinued_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protocol.condition_label} ({self.get_side_display()})"
