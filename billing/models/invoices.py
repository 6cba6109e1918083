"""Invoices, their lines, credit notes and write-offs.

An invoice is a draft (editable, no number) until issued; issuing gives it the next number of the
clinic's gapless series in the same transaction. From then on it never changes: a credit note
(its own gapless series, a required reason) reduces or voids it. `total`, `tax_total` and
`balance` are kept on the row and recomputed from the ledger rows (never incremented) under the
invoice's row lock by billing.services."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clinic.models import Location, Practitioner
from patients.models import Patient

from .fees import CodeSystem, Fee


class Invoice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        PAID = "paid", _("Paid")
        VOID = "void", _("Void")

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Visit or sale")
        DEPOSIT = "deposit", _("Deposit")
        PACKAGE = "package", _("Series package")
        FEE = "fee", _("Late-cancel or no-show fee")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="invoices")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="invoices")
    practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    # The visit this invoice is for (check-out, deposit, late-cancel fee), or the series (package).
    appointment = models.ForeignKey(
        "treatments.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    series = models.ForeignKey(
        "treatments.TreatmentSeries", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.REGULAR)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.DRAFT)
    number = models.PositiveIntegerField(null=True, blank=True, editable=False)
    issued_at = models.DateTimeField(null=True, blank=True)
    issue_date = models.DateField(null=True, blank=True, help_text=_("The business date it was issued on."))
    due_date = models.DateField(null=True, blank=True)
    total = models.BigIntegerField(default=0)
    tax_total = models.BigIntegerField(default=0)
    # total − credited − written off − allocated + refunded back from it; negative = owed to the patient.
    balance = models.BigIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    note = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-created_at"], name="invoice_patient_idx"),
            models.Index(fields=["status", "issue_date"], name="invoice_status_date_idx"),
            models.Index(fields=["location", "issue_date"], name="invoice_location_date_idx"),
            # What each patient owes (the cards' and pages' "Balance due"): the few open invoices
            # among years of paid ones, by patient.
            models.Index(
                fields=["patient"], condition=Q(status="issued", balance__gt=0), name="invoice_owed_by_patient_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=Q(number__isnull=False), name="invoice_number_unique"),
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True, issued_at__isnull=True)
                | (~Q(status="draft") & Q(number__isnull=False, issued_at__isnull=False, issue_date__isnull=False)),
                name="invoice_number_iff_issued",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="invoice_total_not_negative"),
            # One live invoice of a kind per visit: two desks checking out the same visit make one.
            models.UniqueConstraint(
                fields=["appointment", "kind"],
                condition=Q(appointment__isnull=False) & ~Q(status="void"),
                name="invoice_one_live_per_visit_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"INV-{self.number:06d}" if self.number else str(_("Draft invoice"))

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def what_for(self) -> str:
        """What the desk reads it is for: a visit's invoice (it has the visit) or a sale (a product
        sold without one); the other kinds by their name."""
        if self.kind == self.Kind.REGULAR:
            return str(_("Visit") if self.appointment_id else _("Sale"))
        return str(self.get_kind_display())


class InvoiceLine(models.Model):
    """A copy of the fee at the time (code, description, price, tax), never a reference to it."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    fee = models.ForeignKey(Fee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    code_system = models.CharField(max_length=8, choices=CodeSystem.choices, default=CodeSystem.INTERNAL)
    code = models.CharField(max_length=20, blank=True)
    modifier = models.CharField(max_length=10, blank=True)
    description = models.CharField(max_length=200)
    unit_price = models.BigIntegerField()
    quantity = models.PositiveSmallIntegerField(default=1)
    tax_rate_bp = models.PositiveIntegerField(default=0)
    tax_inclusive = models.BooleanField(default=False)
    # Computed by billing.money.line_amounts when the line is written: gross (what the patient
    # pays for the line) and the tax part of it.
    line_total = models.BigIntegerField()
    line_tax = models.BigIntegerField()
    appointment = models.ForeignKey(
        "treatments.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )
    series = models.ForeignKey(
        "treatments.TreatmentSeries", null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )

    class Meta:
        ordering = ["invoice", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="invoice_line_price_not_negative"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="invoice_line_quantity_positive"),
            models.CheckConstraint(condition=Q(tax_rate_bp__lte=10000), name="invoice_line_tax_at_most_100pc"),
            models.CheckConstraint(condition=Q(line_total__gte=0, line_tax__gte=0), name="invoice_line_amounts"),
        ]

    def __str__(self) -> str:
        return self.description


class CreditNote(models.Model):
    """Reduces an issued invoice (a partial credit) or voids it (the whole remaining total). Its
    number comes from its own gapless series; the reason is required."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    number = models.PositiveIntegerField(unique=True, editable=False)
    reason = models.CharField(max_length=250)
    voids = models.BooleanField(default=False, help_text=_("This credit note voided the invoice."))
    total = models.BigIntegerField()
    tax_total = models.BigIntegerField(default=0)
    issued_at = models.DateTimeField()
    issue_date = models.DateField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    attempt_key = models.UUIDField(unique=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="credit_note_total_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="credit_note_reason_required"),
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"CN-{self.number:06d}"


class CreditNoteLine(models.Model):
    """A line of the credit note: what is credited and, for a computed credit (a package's refund),
    the arithmetic in words."""

    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(max_length=250)
    amount = models.BigIntegerField(help_text=_("Gross, in minor units."))
    tax = models.BigIntegerField(default=0)
    invoice_line = models.ForeignKey(InvoiceLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["credit_note", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0, tax__gte=0), name="credit_note_line_amounts"),
        ]

    def __str__(self) -> str:
        return self.description


class WriteOff(models.Model):
    """The clinic admin gives up collecting part of an invoice's balance (a reason is required)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="write_offs")
    amount = models.BigIntegerField()
    reason = models.CharField(max_length=250)
    at = models.DateTimeField()
    business_date = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    attempt_key = models.UUIDField(unique=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="write_off_amount_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="write_off_reason_required"),
        ]

    def __str__(self) -> str:
        return f"write-off {self.amount} on {self.invoice}"
