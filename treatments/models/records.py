"""Clinical records: practitioners and the clinic admin only. A session's record, its injection
sites and adverse events, amendments to a signed record, attachments, and the consultation's
"book this series" request to the desk."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clinic.models import Practitioner
from patients.models import Patient

from .appointments import Appointment
from .series import Protocol, Side


class SessionRecord(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")

    class Kind(models.TextChoices):
        # Chosen from the appointment type when the record is created (services/records.py).
        INJECTION = "injection", _("Injection session")
        CONSULTATION = "consultation", _("Consultation")
        FOLLOW_UP = "follow_up", _("Follow-up / review")

    class Plan(models.TextChoices):
        CONTINUE = "continue", _("Continue as booked")
        CHANGE_INTERVAL = "change_interval", _("Change the interval")
        ADD_SESSION = "add_session", _("Add a session")
        DISCONTINUE = "discontinue", _("Discontinue the series")

    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="record")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INJECTION)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.DRAFT)
    consent_confirmed = models.BooleanField(default=False)
    screening_rechecked = models.BooleanField(default=False)
    pain_before = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    pain_after = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    product_lot = models.CharField(max_length=60, blank=True)
    plan = models.CharField(max_length=16, choices=Plan.choices, default=Plan.CONTINUE)
    plan_note = models.CharField(max_length=250, blank=True)
    notes = models.TextField(blank=True)
    # Consultation note.
    history = models.TextField(blank=True)
    examination = models.TextField(blank=True)
    imaging_reviewed = models.TextField(blank=True)
    screening_reviewed = models.BooleanField(default=False)
    assessment = models.TextField(blank=True)
    candidate = models.BooleanField(null=True, blank=True)
    proposed_protocol = models.ForeignKey(
        Protocol, null=True, blank=True, on_delete=models.PROTECT, related_name="proposed_in"
    )
    proposed_side = models.CharField(max_length=5, choices=Side.choices, default=Side.NONE)
    # Follow-up / review note; its decision is `plan`, its pain today `pain_before`.
    progress = models.TextField(blank=True)
    outcome_measure = models.CharField(max_length=10, blank=True)
    outcome_value = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    # Who writes, signs and amends this record when it is not the appointment's own practitioner:
    # set only by the clinic admin's hand-over (clinical/services/handover.py), which its history records.
    handed_to = models.ForeignKey(Practitioner, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(pain_before__isnull=True) | Q(pain_before__lte=10), name="record_pain_before_0_10"
            ),
            models.CheckConstraint(
                condition=Q(pain_after__isnull=True) | Q(pain_after__lte=10), name="record_pain_after_0_10"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_at__isnull=False, signed_by__isnull=False),
                name="record_signed_has_signer",
            ),
            # A signed consultation says whether the patient is a candidate, and for what.
            models.CheckConstraint(
                condition=~Q(kind="consultation", status="signed")
                | Q(candidate=False)
                | Q(candidate=True, proposed_protocol__isnull=False),
                name="record_signed_consultation_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"Session record #{self.pk}"


class SeriesRequest(models.Model):
    """ "Book this series": left on the desk's requests by a signed consultation that chose a
    protocol. Holds only what the desk needs to book, never the clinical note."""

    record = models.OneToOneField(SessionRecord, on_delete=models.CASCADE, related_name="series_request")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="series_requests")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="series_requests")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="series_requests")
    side = models.CharField(max_length=5, choices=Side.choices, default=Side.NONE)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Book {self.protocol} for {self.patient}"


class InjectionSite(models.Model):
    class Guidance(models.TextChoices):
        LANDMARK = "landmark", _("Landmark")
        ULTRASOUND = "ultrasound", _("Ultrasound")
        FLUOROSCOPY = "fluoroscopy", _("Fluoroscopy")

    record = models.ForeignKey(SessionRecord, on_delete=models.CASCADE, related_name="sites")
    order = models.PositiveSmallIntegerField(default=0)
    region = models.CharField(max_length=80)
    structure = models.CharField(max_length=120, blank=True)
    side = models.CharField(max_length=5, choices=Side.choices, default=Side.NONE)
    guidance = models.CharField(max_length=12, choices=Guidance.choices, default=Guidance.LANDMARK)
    dextrose_percent = models.DecimalField(max_digits=4, decimal_places=1)
    anaesthetic = models.CharField(max_length=40, blank=True, help_text=_("e.g. lidocaine"))
    anaesthetic_percent = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("0"))
    volume_ml = models.DecimalField(max_digits=4, decimal_places=1)
    needle_gauge = models.PositiveSmallIntegerField(null=True, blank=True)
    # Where the practitioner clicked on the body chart (treatments/clinical/bodychart.py), in the
    # chart's own units; empty for a site typed in the rows only.
    chart_view = models.CharField(
        max_length=5, blank=True, choices=[("front", _("Front")), ("back", _("Back"))], default=""
    )
    chart_x = models.PositiveSmallIntegerField(null=True, blank=True)
    chart_y = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            # A point is whole or absent, and inside the chart's frame; whether it lies on the
            # body is the service's check (the outline is not a database shape).
            models.CheckConstraint(
                condition=Q(chart_view="", chart_x__isnull=True, chart_y__isnull=True)
                | Q(
                    chart_view__in=["front", "back"],
                    chart_x__isnull=False,
                    chart_y__isnull=False,
                    chart_x__lte=120,
                    chart_y__lte=220,
                ),
                name="site_chart_point_whole_and_in_frame",
            ),
            models.CheckConstraint(
                condition=Q(volume_ml__gt=0, volume_ml__lte=30), name="site_volume_between_0_and_30_ml"
            ),
            models.CheckConstraint(
                condition=Q(dextrose_percent__gte=0, dextrose_percent__lte=50), name="site_dextrose_0_50_percent"
            ),
            models.CheckConstraint(
                condition=Q(anaesthetic_percent__gte=0, anaesthetic_percent__lte=50),
                name="site_anaesthetic_0_50_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.structure}".strip()


class AdverseEvent(models.Model):
    class Kind(models.TextChoices):
        VASOVAGAL = "vasovagal", _("Vasovagal (fainting)")
        BLEEDING = "bleeding", _("Bleeding")
        SEVERE_PAIN = "severe_pain", _("Severe pain")
        OTHER = "other", _("Other")

    record = models.ForeignKey(SessionRecord, on_delete=models.CASCADE, related_name="adverse_events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    notes = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.get_kind_display()


class RecordAmendment(models.Model):
    """A correction to a signed record: the record stays locked; this says who changed what, why."""

    record = models.ForeignKey(SessionRecord, on_delete=models.CASCADE, related_name="amendments")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    reason = models.CharField(max_length=250)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"Amendment {self.at:%Y-%m-%d}"


class Attachment(models.Model):
    """An imaging report, referral letter or photo, attached to a patient and optionally to one
    session record. The file lives under settings.ATTACHMENTS_DIR by a generated name; the name
    the user gave is kept for display and the download only (treatments/clinical/services/attachments.py)."""

    class Kind(models.TextChoices):
        IMAGING = "imaging", _("Imaging report")
        REFERRAL = "referral", _("Referral letter")
        PHOTO = "photo", _("Photo")
        OTHER = "other", _("Other document")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="attachments")
    record = models.ForeignKey(
        SessionRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=120)
    stored_name = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="attachment_pdf_jpeg_png_only",
            ),
        ]

    def __str__(self) -> str:
        return self.title
