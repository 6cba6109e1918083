"""The outbox. Every message a patient gets is a row here first, written in the same transaction
as the booking, move, cancellation or signature that wants it; a sweep sends the due ones."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patients.models import Channel, Patient


class Message(models.Model):
    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Series confirmation")
        PREPARE = "prepare", _("Preparing for your session")
        REMINDER = "reminder", _("Session reminder")
        AFTERCARE = "aftercare", _("What to expect (evening)")
        CHECKIN = "checkin", _("Check-in (pain score)")
        FOLLOWUP = "followup", _("Follow-up")
        OUTCOME = "outcome", _("Outcome check-in")
        OFFER = "offer", _("Waitlist offer")
        # Change notices: the patient hears when a time they knew of changes.
        MOVED = "moved", _("Session moved")
        CANCELLED = "cancelled", _("Session cancelled by the clinic")
        CANCEL_RECEIPT = "receipt", _("Cancellation receipt")
        REBOOKED = "rebooked", _("Session booked again")
        # A payment's receipt, queued by billing (the amount, the date and the method only).
        PAID = "paid", _("Payment receipt")
        # A prepaid package's sessions run out soon, queued by billing (how many, and the date).
        PACKAGE_EXPIRY = "pkg_expiry", _("Package expiry notice")
        # A Good Faith Estimate is in the patient's portal, queued by billing (its total only).
        ESTIMATE = "estimate", _("Good Faith Estimate ready")
        # What the patient still owes, queued by billing (the amount only).
        BALANCE = "balance", _("Balance reminder")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        SKIPPED = "skipped", _("Skipped")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="messages")
    # Plain ids: notifications sits below treatments and must not import it.
    appointment_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    series_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # Small, non-clinical facts the text needs that no row holds (e.g. {"weeks": 6}).
    data = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=80, unique=True)
    send_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    # Who holds a claimed row, and until when; an expired lease means the worker died.
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=120, blank=True)
    # Exactly what went out, stored at send time.
    to = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)

    class Meta:
        ordering = ["-send_at", "-id"]
        indexes = [
            # The sweep's question: what is due now? Partial, so it stays small as history grows.
            models.Index(fields=["send_at"], name="message_due_idx", condition=Q(status__in=["pending", "sending"])),
            models.Index(fields=["patient", "-send_at"], name="message_patient_idx"),
            models.Index(fields=["status", "-send_at"], name="message_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="message_sent_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(lease_until__isnull=False), name="message_sending_has_lease"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_channel_display()} · {self.send_at:%Y-%m-%d %H:%M}"


class MessageTemplate(models.Model):
    """The words of one kind of message on one channel, editable by the clinic admin. Rendered
    with Django's template language from a context of plain strings and numbers only."""

    kind = models.CharField(max_length=12, choices=Message.Kind.choices)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    subject = models.CharField(max_length=200, blank=True, help_text=_("E-mail only."))
    text = models.TextField(help_text=_("Plain text. Never name a condition or a body part."))
    html = models.TextField(blank=True, help_text=_("E-mail only; empty = the text with line breaks."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "channel"]
        constraints = [models.UniqueConstraint(fields=["kind", "channel"], name="message_template_kind_channel")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display()})"


class InboundSms(models.Model):
    """A text Twilio delivered to the inbound webhook, kept so that a replayed or retried call is
    acted on once: its MessageSid, and Twilio's I-Twilio-Idempotency-Token when sent, are unique.
    Holds no words and no number (those go where the reply is acted on, or nowhere)."""

    message_sid = models.CharField(max_length=64, unique=True)
    idempotency_token = models.CharField(max_length=200, null=True, blank=True, unique=True)
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.message_sid


class UnsubscribeLink(models.Model):
    """The link at the foot of every message that stops that channel for the patient. The token in
    the URL is 22 random characters that say nothing of the patient; only its SHA-256 is stored
    (clinic/tokens.py), so neither the URL nor a database leak gives the patient away or a working
    link. It works for UNSUBSCRIBE_LINK_DAYS, then shows how else to stop the messages."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="unsubscribe_link_expiry_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="unsubscribe_link_expires_later"
            )
        ]

    def __str__(self) -> str:
        return f"unsubscribe link {self.pk}"
