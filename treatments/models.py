from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from clinic.models import AppointmentType, Location, Practitioner, Room
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


class WaitlistEntry(models.Model):
    """A patient waiting for an earlier slot with a practitioner, optionally for one session."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="waitlist_entries")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="waitlist_entries")
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Who took the entry off the waitlist (a desk user; empty for entries resolved before this was kept).
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = _("waitlist entries")
        # One open entry per patient and practitioner for the same session (or for none): two
        # desks adding the same patient at once both pass the service's check, one insert fails.
        # Two constraints because NULLs are distinct in a unique index on both databases.
        constraints = [
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(resolved_at__isnull=True, appointment__isnull=False),
                name="waitlist_entry_one_open_per_session",
            ),
            models.UniqueConstraint(
                fields=["patient", "practitioner"],
                condition=Q(resolved_at__isnull=True, appointment__isnull=True),
                name="waitlist_entry_one_open_without_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} waits for {self.practitioner}"


class WaitlistOffer(models.Model):
    """A freed slot offered to one waitlist entry. Several entries may be offered the same slot;
    the first claim wins, and the database allows one claimed offer per freed slot."""

    class Status(models.TextChoices):
        OPEN = "open", _("Offered")
        CLAIMED = "claimed", _("Claimed")
        TAKEN = "taken", _("Taken by someone else")

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    # The cancelled appointment whose time is offered: it names the slot (practitioner, place, time).
    freed = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="offers_of_slot")
    rank = models.PositiveSmallIntegerField(help_text=_("Place in the clinic's order when offered (1 = first)."))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    booked = models.ForeignKey(Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "rank"]
        constraints = [
            # Two patients pressing "take it" at once: the second insert of "claimed" fails here.
            models.UniqueConstraint(
                fields=["freed"], condition=Q(status="claimed"), name="waitlist_offer_slot_claimed_once"
            ),
            models.UniqueConstraint(fields=["freed", "entry"], name="waitlist_offer_once_per_entry"),
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="waitlist_offer_expires_after"),
        ]

    def __str__(self) -> str:
        return f"Offer {self.pk} of appointment {self.freed_id} to entry {self.entry_id}"

    def outcome(self, now) -> str:
        """What the desk reads: offered, expired, claimed or taken by someone else."""
        if self.status == self.Status.OPEN and self.expires_at <= now:
            return str(_("Expired"))
        return self.get_status_display()


# --- Clinical records: practitioners and the clinic admin only -----------------------------------


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
    # set only by the clinic admin's hand-over (services/handover.py), which its history records.
    handed_to = models.ForeignKey(
        "clinic.Practitioner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

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


class OutcomeScore(models.Model):
    class Measure(models.TextChoices):
        PAIN_NRS = "pain_nrs", _("Pain (0-10)")
        PSFS = "psfs", _("Patient-Specific Functional Scale")
        GRC = "grc", _("Global rating of change")
        WOMAC = "womac", _("WOMAC total")
        ODI = "odi", _("Oswestry (ODI) total")
        VISA_A = "visa_a", _("VISA-A total")
        PRTEE = "prtee", _("PRTEE total")

    class Source(models.TextChoices):
        SESSION = "session", _("At a session")
        CHECKIN = "checkin", _("Patient check-in")
        CLINIC = "clinic", _("Recorded by the clinic")
        INTAKE = "intake", _("Patient intake (baseline)")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="outcome_scores")
    series = models.ForeignKey(TreatmentSeries, null=True, blank=True, on_delete=models.CASCADE, related_name="scores")
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="scores"
    )
    measure = models.CharField(max_length=10, choices=Measure.choices)
    value = models.DecimalField(max_digits=6, decimal_places=2)
    recorded_at = models.DateTimeField()
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.CLINIC)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at"]
        indexes = [models.Index(fields=["series", "measure", "recorded_at"], name="score_series_measure_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(measure="pain_nrs") | Q(value__gte=0, value__lte=10), name="score_pain_nrs_0_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.value}"


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


class RedFlag:
    """The warning signs a patient can report after a session: any one means "call the clinic now"
    (docs/clinical-facts.md, "Warning signs after an injection")."""

    FEVER = "fever"
    SPREADING = "spreading"
    DISCHARGE = "discharge"
    WORSE_PAIN = "worse_pain"
    UNWELL = "unwell"
    NERVE = "nerve"
    SPINE = "spine"

    CHOICES = [
        (FEVER, _("I have a fever above 38 °C (100.4 °F)")),
        (SPREADING, _("Redness, warmth or swelling around the injection is spreading or getting worse")),
        (DISCHARGE, _("Fluid or pus is coming out of an injection site")),
        (WORSE_PAIN, _("The pain is getting worse 2 to 3 days after the session, instead of better")),
        (UNWELL, _("I feel generally unwell")),
        (NERVE, _("I have burning pain, numbness or weakness in an arm or leg")),
        (SPINE, _("I have a severe headache, shortness of breath or chest pain")),
    ]
    LABELS = dict(CHOICES)


class PainCheckIn(models.Model):
    """ "How do you feel?" from the patient portal; its pain score also becomes an OutcomeScore."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="checkins")
    series = models.ForeignKey(
        TreatmentSeries, null=True, blank=True, on_delete=models.CASCADE, related_name="checkins"
    )
    pain = models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(10)])
    note = models.TextField(max_length=1000, blank=True)
    red_flags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(pain__lte=10), name="checkin_pain_0_10")]

    def __str__(self) -> str:
        return f"Check-in {self.created_at:%Y-%m-%d}"

    @property
    def red_flag_labels(self) -> list[str]:
        return [str(RedFlag.LABELS.get(flag, flag)) for flag in self.red_flags]


class OnlineBooking(models.Model):
    """A patient booking online (treatments/booking): the slot they picked is held while they prove
    their e-mail or phone with a one-time code; only then does the appointment exist.

    A live hold (HELD, not expired) blocks its practitioner's time for everyone: the desk's booking
    checks read it (selectors/availability.py), and on PostgreSQL both paths lock the practitioner's
    row first, while the exclusion constraint of migration 0006_booka lets no two live holds
    overlap. Expired holds are marked EXPIRED under that lock before a new one is written."""

    class Status(models.TextChoices):
        HELD = "held", _("Held while verifying")
        BOOKED = "booked", _("Booked")
        EXPIRED = "expired", _("Expired")

    class CodeChannel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message (SMS)")

    MAX_CODE_TRIES = 5

    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="online_bookings")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    # [start, end) in UTC, the type's buffer included: the time nobody else may take.
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.HELD)
    expires_at = models.DateTimeField()
    # What the patient typed; stored only until it becomes (or matches) a patient record.
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email_consent = models.BooleanField(default=False)
    sms_consent = models.BooleanField(default=False)
    screening = models.JSONField(default=dict, blank=True)
    # The one-time code: only its hash is kept (clinic/tokens.py).
    code_channel = models.CharField(max_length=5, choices=CodeChannel.choices)
    code_hash = models.CharField(max_length=64)
    code_expires_at = models.DateTimeField()
    code_tries = models.PositiveSmallIntegerField(default=0)
    appointment = models.OneToOneField(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="online_booking"
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["practitioner", "start"], name="online_bk_practitioner_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="online_booking_end_after_start"),
            models.CheckConstraint(condition=Q(code_tries__lte=5), name="online_booking_at_most_5_tries"),
            models.CheckConstraint(
                condition=~Q(status="booked") | Q(appointment__isnull=False), name="online_booking_booked_has_appt"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_type} {self.start:%Y-%m-%d %H:%M} ({self.get_status_display()})"
