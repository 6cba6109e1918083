from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message (SMS)")


class Patient(models.Model):
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    phone = models.CharField(max_length=20, blank=True, help_text=_("Stored in E.164, e.g. +13125550123."))
    email = models.EmailField(blank=True)
    preferred_channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.EMAIL)
    # Consent per channel: the time it was given, or empty when not given / withdrawn.
    email_consent_at = models.DateTimeField(null=True, blank=True)
    sms_consent_at = models.DateTimeField(null=True, blank=True)
    emergency_contact_name = models.CharField(max_length=120, blank=True)
    emergency_contact_phone = models.CharField(max_length=20, blank=True)
    # Lower-cased "last first" and "first last" for prefix search on an index (fast at 50,000
    # patients): a last name, a first name, or both in either order is a prefix of one of them.
    search_name = models.CharField(max_length=170, editable=False, db_index=True)
    search_first_last = models.CharField(max_length=170, editable=False, db_index=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["phone"], name="patient_phone_idx"),
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
            models.Index(fields=["last_name", "first_name"], name="patient_name_idx"),
            # The possible-duplicate check at registration looks patients up by e-mail, and search
            # by its prefix: on PostgreSQL a LIKE 'x%' needs the pattern operator class (which
            # answers equality too); other databases ignore opclasses.
            models.Index(fields=["email"], name="patient_email_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]
        # On PostgreSQL a trigram index answers "any part of the phone number" (migration 0004).
        constraints = [
            models.CheckConstraint(condition=Q(phone="") | Q(phone__startswith="+"), name="patient_phone_e164"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        self.set_search_names()
        super().save(*args, **kwargs)

    def set_search_names(self) -> None:
        """bulk_create skips save(): code that creates patients in bulk calls this itself."""
        self.search_name = f"{self.last_name} {self.first_name}".lower()
        self.search_first_last = f"{self.first_name} {self.last_name}".lower()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def has_consent(self, channel: str) -> bool:
        if channel == Channel.EMAIL:
            return bool(self.email and self.email_consent_at)
        return bool(self.phone and self.sms_consent_at)


class ScreeningQuestion(models.TextChoices):
    """The screening questions (docs/clinical-facts.md, "Screening"). A "yes" is flagged to the
    practitioner; it never blocks or passes a booking on its own."""

    ANTICOAGULANTS = "anticoagulants", _("Takes blood thinners (anticoagulants)")
    BLEEDING_DISORDER = "bleeding_disorder", _("Has a bleeding disorder")
    INFECTION = "infection", _("Has an infection now (fever, joint or skin infection near the site)")
    ALLERGY_DEXTROSE = "allergy_dextrose", _("Allergic to corn or dextrose")
    ALLERGY_ANAESTHETIC = "allergy_anaesthetic", _("Allergic to local anaesthetics")
    ALLERGY_LATEX = "allergy_latex", _("Allergic to latex")
    ALLERGY_FISH = "allergy_fish", _("Allergic to fish")
    PREGNANCY = "pregnancy", _("Pregnant or may be pregnant")
    # An allergy named in the patient's own words (the intake's "allergies"): the note says which.
    ALLERGY_OTHER = "allergy_other", _("Has another allergy")
    DIABETES = "diabetes", _("Has diabetes")
    SWELLING_FRACTURE = "swelling_fracture", _("Unexplained swelling or a recent fracture")
    CANCER_PAIN = "cancer_pain", _("Pain caused by cancer")
    PROSTHESIS = "prosthesis", _("Has a prosthetic joint or heart valve")


class ScreeningAnswer(models.Model):
    class Source(models.TextChoices):
        INTAKE = "intake", _("At registration")
        PRE_SESSION = "pre_session", _("Before a session (staff)")
        PORTAL = "portal", _("Patient portal")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="screening_answers")
    question = models.CharField(max_length=30, choices=ScreeningQuestion.choices)
    answer = models.BooleanField()
    note = models.CharField(max_length=250, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.INTAKE)
    # The appointment this answer was given for, when it was a pre-session re-check. An id, as
    # patients sits below treatments.
    appointment_id = models.BigIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-answered_at", "-id"]
        indexes = [models.Index(fields=["patient", "question", "-answered_at"], name="screening_latest_idx")]

    def __str__(self) -> str:
        return f"{self.get_question_display()}: {'yes' if self.answer else 'no'}"


class PortalToken(models.Model):
    """A patient's secure link. Only the SHA-256 of the token is stored, and the random seed the
    token is derived from with SECRET_KEY (patients/tokens.py): the database alone opens nothing,
    yet the sweep can put the same live link in every message."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="portal_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    # Empty for links made before links were reused: those are never put in a message again.
    seed = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One link per patient that is not revoked (expired ones are revoked when replaced):
            # two sweeps minting a patient's link at once cannot leave two working links.
            models.UniqueConstraint(
                fields=["patient"], condition=Q(revoked_at__isnull=True), name="portal_token_one_live_per_patient"
            ),
        ]

    def __str__(self) -> str:
        return f"Portal link #{self.pk}"


class ConsultationRequest(models.Model):
    """A request to be contacted: from the public consultation form, or from a patient's portal
    asking to move a session. Both land in the desk's inbox."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        CLOSED = "closed", _("Closed")

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Consultation request")
        MOVE = "move", _("Asks to move a session")
        SMS_REPLY = "sms_reply", _("Replied by text")

    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    preferred_times = models.CharField(max_length=250, blank=True)
    message = models.TextField(max_length=2000, blank=True)
    consent_to_contact = models.BooleanField()
    self_check = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CONSULTATION)
    # Set for requests made from a patient's portal link.
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.CASCADE, related_name="consultation_requests"
    )
    appointment_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(consent_to_contact=True), name="consultation_request_consented"),
            models.CheckConstraint(condition=~Q(email="", phone=""), name="consultation_request_has_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.created_at:%Y-%m-%d})"


class Intake(models.Model):
    """What a patient tells the clinic before their first visit, one row per submission (the latest
    is shown; earlier ones stay as they were sent). Typed by the patient in their portal."""

    class Pregnancy(models.TextChoices):
        NOT_ASKED = "", _("Not asked")
        YES = "yes", _("Yes, or may be")
        NO = "no", _("No")
        DISCUSS = "discuss", _("Prefers to discuss it with the clinician")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="intakes")
    history = models.TextField(max_length=4000, blank=True)
    medicines = models.TextField(max_length=2000, blank=True)
    blood_thinners = models.BooleanField()
    blood_thinners_which = models.CharField(max_length=200, blank=True)
    # Asked when the clinic's settings say so (ClinicSettings.intake_asks_pregnancy).
    pregnancy = models.CharField(max_length=8, choices=Pregnancy.choices, blank=True, default="")
    allergies = models.TextField(max_length=2000, blank=True)
    previous_treatments = models.TextField(max_length=2000, blank=True)
    imaging = models.TextField(max_length=2000, blank=True)
    goals = models.TextField(max_length=2000, blank=True)
    # The Patient-Specific Functional Scale at baseline: [{"activity": "...", "score": 0-10}, ...],
    # one to three activities. Their mean is stored as an OutcomeScore too (the first PSFS point).
    activities = models.JSONField(default=list)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["patient", "-submitted_at"], name="intake_latest_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(blood_thinners=False) | ~Q(blood_thinners_which=""), name="intake_blood_thinners_named"
            ),
        ]

    def __str__(self) -> str:
        return f"Intake {self.submitted_at:%Y-%m-%d}"


class Unchangeable(models.QuerySet):
    """Bulk update and delete would bypass the model's own guard: refuse them here too."""

    def update(self, **kwargs):
        raise ValueError(f"{self.model._meta.verbose_name} rows cannot be changed.")

    def delete(self):
        raise ValueError(f"{self.model._meta.verbose_name} rows cannot be deleted.")


class WrittenOnce(models.Model):
    """A row that is written once and never changed or deleted afterwards."""

    objects = Unchangeable.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError(f"A {self._meta.verbose_name} cannot be changed once saved.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"A {self._meta.verbose_name} cannot be deleted.")


class ConsentText(WrittenOnce):
    """The clinic's consent-to-treatment text. Versioned: a change is a new version (the admin only
    adds), so every signature points at the exact words the patient agreed to."""

    version = models.PositiveIntegerField(unique=True)
    text = models.TextField()
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("consent text")

    def __str__(self) -> str:
        return f"Consent text, version {self.version}"


class ConsentSignature(WrittenOnce):
    """A patient's electronic signature of one version of the consent text: the name they typed,
    their explicit tick, when, and from which address. Unchangeable once written."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consent_signatures")
    consent_text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="signatures")
    typed_name = models.CharField(max_length=170)
    agreed = models.BooleanField()
    signed_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        verbose_name = _("consent signature")
        indexes = [models.Index(fields=["patient", "-signed_at"], name="consent_signature_latest_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(agreed=True), name="consent_signature_agreed"),
            models.CheckConstraint(condition=~Q(typed_name=""), name="consent_signature_named"),
            # One signature per version: a second click or a replayed form signs nothing new.
            models.UniqueConstraint(fields=["patient", "consent_text"], name="consent_signature_once_per_version"),
        ]

    def __str__(self) -> str:
        return f"Consent signed {self.signed_at:%Y-%m-%d}"
