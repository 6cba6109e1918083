"""Online booking (treatments/booking): a held slot while the patient proves a contact."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from clinic.models import AppointmentType, Location, Practitioner

from .appointments import Appointment


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
