"""Card payments online (issue 23): each attempt to pay through the card gateway's hosted page,
and each gateway event we received (stored once, so a replay has no effect)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clinic.models import Location
from patients.models import Patient

from .invoices import Invoice
from .payments import Payment


class CheckoutAttempt(models.Model):
    """One press of "Pay now": the amount the server fixed, the hosted page the gateway made for it,
    and the payment once the gateway says the money was taken. `key` is unique and is also the
    gateway's idempotency key and the recorded payment's attempt key, so the webhook, the patient's
    return and a sweep that all learn of one payment record it once."""

    class Purpose(models.TextChoices):
        INVOICE = "invoice", _("An open invoice")
        DEPOSIT = "deposit", _("A deposit at online booking")
        PACKAGE = "package", _("A series package bought from the portal")
        CARD = "card", _("A card saved for the late-cancel policy")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the card")
        PAID = "paid", _("Paid")
        EXPIRED = "expired", _("Not completed")
        FAILED = "failed", _("The card service failed")

    key = models.UUIDField(unique=True)
    purpose = models.CharField(max_length=8, choices=Purpose.choices)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="checkout_attempts")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="checkout_attempts"
    )
    # The online booking this deposit secures (held "paying" until the gateway confirms).
    online_booking = models.ForeignKey(
        "treatments.OnlineBooking", null=True, blank=True, on_delete=models.PROTECT, related_name="checkout_attempts"
    )
    # The series whose package this attempt buys (sold when the gateway confirms the payment).
    series = models.ForeignKey(
        "treatments.TreatmentSeries", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.BigIntegerField(help_text=_("Fixed by the server when the attempt began, in minor units."))
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=120)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    checkout_id = models.CharField(max_length=120, null=True, blank=True, unique=True)
    checkout_url = models.URLField(max_length=500, blank=True)
    failure = models.CharField(max_length=250, blank=True)
    # A card saved for the late-cancel policy: the policy's words the patient agreed to, and when.
    policy_text = models.TextField(blank=True)
    policy_version = models.CharField(max_length=16, blank=True)
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="checkout_attempt"
    )
    created_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="checkout_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(purpose="card", amount=0), name="checkout_amount_positive"
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(payment__isnull=False), name="checkout_paid_has_payment"
            ),
        ]

    def __str__(self) -> str:
        return f"checkout {self.key} ({self.status})"


class GatewayEvent(models.Model):
    """A webhook event, by the gateway's own id: stored once (UNIQUE), so the same event sent twice
    (a retry, a replay) is answered 200 and does nothing the second time."""

    event_id = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=80)
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"


class LiveCards(models.Manager["SavedCard"]):
    def get_queryset(self) -> models.QuerySet["SavedCard"]:
        return super().get_queryset().filter(removed_at__isnull=True)


class SavedCard(models.Model):
    """A card the patient saved at the gateway so the desk may charge a late-cancel or no-show fee
    to it, only by choosing to. Keeps the policy's words and version the patient agreed to, and
    when; the card itself stays at the gateway (only its ids are here). A card the patient removed
    (detached at the gateway) keeps its row with `removed_at`: `SavedCard.objects` are the cards
    that may still be charged, `SavedCard.every` all of them."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="saved_cards")
    customer = models.CharField(max_length=120)
    card = models.CharField(max_length=120)
    policy_text = models.TextField()
    policy_version = models.CharField(max_length=16)
    agreed_at = models.DateTimeField()
    attempt = models.OneToOneField(CheckoutAttempt, on_delete=models.PROTECT, related_name="saved_card")
    created_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)

    every = models.Manager()  # removed cards too (default_manager_name keeps `objects` first)
    objects = LiveCards()

    class Meta:
        ordering = ["-created_at", "-id"]
        default_manager_name = "objects"
        base_manager_name = "every"

    def __str__(self) -> str:
        return f"card on file for patient {self.patient_id}"
