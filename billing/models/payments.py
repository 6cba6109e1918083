"""Money in and out: payments, their allocation to invoices, refunds and the patient's credit.

Every row here is a ledger row: written once by billing.services, never changed or deleted. Each
write carries an attempt key (UNIQUE) rendered into the form, so a double click, a retried request
or (issue 23) a replayed webhook has one effect."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clinic.models import Location
from patients.models import Patient

from .invoices import Invoice


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CHEQUE = "cheque", _("Cheque")
    CARD_TERMINAL = "card_terminal", _("Card (clinic terminal)")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    # Reserved for issue 23: a card payment through the gateway (Stripe), recorded from its webhook.
    CARD_ONLINE = "card_online", _("Card (online)")
    # Paid out of the patient's credit (an earlier overpayment the desk chose to keep).
    PATIENT_CREDIT = "patient_credit", _("Patient credit")


# The methods the desk takes in person (the payment form); card_online arrives from the gateway.
DESK_METHODS = (
    PaymentMethod.CASH,
    PaymentMethod.CHEQUE,
    PaymentMethod.CARD_TERMINAL,
    PaymentMethod.BANK_TRANSFER,
    PaymentMethod.PATIENT_CREDIT,
)
# Methods whose money the day's close counts (patient credit moves no money on the day).
COUNTED_METHODS = (
    PaymentMethod.CASH,
    PaymentMethod.CHEQUE,
    PaymentMethod.CARD_TERMINAL,
    PaymentMethod.BANK_TRANSFER,
    PaymentMethod.CARD_ONLINE,
)


class Payment(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="payments")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    amount = models.BigIntegerField(help_text=_("In minor units."))
    # What identifies it outside Prolo: the terminal's receipt number, the cheque number, the
    # transfer's reference; for card_online (issue 23) the gateway's payment id.
    reference = models.CharField(max_length=120, blank=True)
    attempt_key = models.UUIDField(unique=True)
    taken_at = models.DateTimeField()
    business_date = models.DateField()
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [
            models.Index(fields=["location", "business_date", "method"], name="payment_day_idx"),
            models.Index(fields=["patient", "-taken_at"], name="payment_patient_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount} ({self.business_date})"


class Allocation(models.Model):
    """How much of a payment went to an invoice."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.BigIntegerField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of payment {self.payment_id} to invoice {self.invoice_id}"


class Refund(models.Model):
    """Money given back against a payment, to the payment's own method. `invoice` names the invoice
    whose allocation it takes back (its balance rises by the amount); empty = it came out of the
    payment's unallocated part (the patient's credit)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="refunds")
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    amount = models.BigIntegerField()
    reason = models.CharField(max_length=250)
    attempt_key = models.UUIDField(unique=True)
    # For card_online (issue 23): the gateway's refund id, recorded when the gateway confirms.
    reference = models.CharField(max_length=120, blank=True)
    refunded_at = models.DateTimeField()
    business_date = models.DateField()
    refunded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-refunded_at", "-id"]
        indexes = [models.Index(fields=["location", "business_date", "method"], name="refund_day_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="refund_reason_required"),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} of payment {self.payment_id}"


class PatientCredit(models.Model):
    """The patient's credit ledger: + when the desk chose to keep an overpayment as credit, − when
    the credit pays an invoice (a patient_credit payment) or is refunded. The balance is the sum;
    the services keep it from going below zero."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="credit_rows")
    amount = models.BigIntegerField()
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_rows")
    refund = models.ForeignKey(Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_rows")
    at = models.DateTimeField()
    business_date = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="patient_credit_not_zero"),
            models.CheckConstraint(
                condition=Q(payment__isnull=False) | Q(refund__isnull=False), name="patient_credit_has_source"
            ),
        ]

    def __str__(self) -> str:
        return f"credit {self.amount:+d} for patient {self.patient_id}"
