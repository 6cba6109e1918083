"""The history of every money write, per invoice (and per payment): who did what, when, how much.
Shown on the invoice page; the clinic's audit log (clinic.audit) gets an entry for the same write."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patients.models import Patient

from .invoices import Invoice
from .payments import Payment


class BillingEvent(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", _("Draft created")
        LINE_ADDED = "line_added", _("Line added")
        LINE_REMOVED = "line_removed", _("Line removed")
        ISSUED = "issued", _("Issued")
        PAYMENT = "payment", _("Payment taken")
        ALLOCATED = "allocated", _("Payment allocated")
        PAID = "paid", _("Paid in full")
        REOPENED = "reopened", _("Balance due again")
        REFUND = "refund", _("Refund")
        CREDIT_NOTE = "credit_note", _("Credit note")
        VOID = "void", _("Voided")
        WRITE_OFF = "write_off", _("Written off")
        CREDIT = "credit", _("Patient credit")
        RECEIPT_PRINTED = "receipt_printed", _("Receipt printed")
        RECEIPT_SENT = "receipt_sent", _("Receipt e-mailed")
        DAY_CLOSED = "day_closed", _("Day closed")
        # Series packages, deposits and missed visits (billing/services/packages.py, missed.py).
        PACKAGE_SOLD = "package_sold", _("Package sold")
        REDEEMED = "redeemed", _("Package session given")
        FORFEITED = "forfeited", _("Package session forfeited")
        UNREDEEMED = "unredeemed", _("Package session given back")
        PACKAGE_CLOSED = "package_closed", _("Package closed early")
        PACKAGE_EXPIRED = "package_expired", _("Package expired")
        EXPIRY_NOTICE = "expiry_notice", _("Patient told of the package's expiry")
        DEPOSIT_APPLIED = "deposit_applied", _("Deposit applied")
        FEE_WAIVED = "fee_waived", _("Missed-visit fee waived")
        # The patient's papers (billing/services/documents.py): what the desk changed, what was sent.
        DETAILS_CHANGED = "details_changed", _("Billing details changed")
        BALANCE_REMINDER = "balance_reminder", _("Balance reminder queued")

    patient = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    amount = models.BigIntegerField(null=True, blank=True)
    # Plain words for the history ("cash, ref 1234", "reason: duplicate"); never clinical text.
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["invoice", "at"], name="billing_event_invoice_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"
