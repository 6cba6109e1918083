"""Series packages: a protocol's sessions sold at one price for one series, and each session they
pay for (a redemption per appointment). See billing/README.md, "Series packages".

The package is paid through its invoice (kind "package"); what it holds for sessions not yet
given is the clinic's unredeemed-package liability. A redemption is written when a session is
attended (billing.receivers) or when the desk forfeits one for a no-show or late cancellation;
it is reversed (never deleted) when that is undone, and the same appointment can hold only one
live redemption (a database constraint)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from patients.models import Patient

from .fees import Fee
from .invoices import CreditNote, Invoice


class RefundRule(models.TextChoices):
    # paid − redeemed × the single-visit price, never below 0: the sessions given cost what a
    # single visit costs (the package's discount is lost when it is not completed).
    SINGLE_VISIT = "single_visit", _("Sessions given at the single-visit price")
    # paid − redeemed × (package price ÷ sessions), never below 0.
    PRO_RATA = "pro_rata", _("Sessions given at the package's price per session")


class Package(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        USED = "used", _("All sessions used")
        CLOSED = "closed", _("Closed early")
        EXPIRED = "expired", _("Expired")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="packages")
    series = models.ForeignKey("treatments.TreatmentSeries", on_delete=models.PROTECT, related_name="packages")
    fee = models.ForeignKey(Fee, on_delete=models.PROTECT, related_name="packages_sold")
    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="package")
    # The series' deposit (invoiced at booking), applied to this package: its invoice line charges
    # the price less the deposit, and what was paid on either invoice counts as paid for the package.
    deposit_invoice = models.OneToOneField(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="deposit_applied_to"
    )
    # Copied from the fee schedule at the sale, so a later price change never rewrites it.
    sessions = models.PositiveSmallIntegerField()
    price = models.BigIntegerField(help_text=_("The package's price, in minor units (what its invoice charges)."))
    single_visit_price = models.BigIntegerField(help_text=_("One visit's price at the sale, stated to the patient."))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    # Its live (not given back) redemptions, counted again by redemption_make and redemption_reverse
    # under the package's lock: the desk's cards read "2 of 5 used" from it without a count per card.
    redeemed = models.PositiveSmallIntegerField(default=0)
    sold_at = models.DateTimeField()
    sold_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_on = models.DateField(null=True, blank=True, help_text=_("Empty: never expires."))
    expiry_notice_at = models.DateTimeField(null=True, blank=True)
    # Closing early (the series discontinued, the patient leaving): the rule, the figures and the
    # credit note that gave the money back.
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=250, blank=True)
    refund_rule = models.CharField(max_length=12, choices=RefundRule.choices, blank=True)
    refund_amount = models.BigIntegerField(null=True, blank=True)
    credit_note = models.OneToOneField(
        CreditNote, null=True, blank=True, on_delete=models.PROTECT, related_name="package"
    )
    attempt_key = models.UUIDField(unique=True)

    class Meta:
        ordering = ["-sold_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(sessions__gte=1), name="package_sessions_positive"),
            models.CheckConstraint(
                condition=Q(price__gte=0, single_visit_price__gte=0), name="package_prices_not_negative"
            ),
            models.UniqueConstraint(
                fields=["series"], condition=Q(status="active"), name="package_one_active_per_series"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False, refund_amount__gte=0),
                name="package_closed_has_refund",
            ),
            models.CheckConstraint(condition=Q(redeemed__lte=F("sessions")), name="package_redeemed_within_sessions"),
        ]

    def __str__(self) -> str:
        return f"package of {self.sessions} for series {self.series_id}"


class PackageRedemption(models.Model):
    class Kind(models.TextChoices):
        ATTENDED = "attended", _("Session given")
        FORFEITED = "forfeited", _("Session forfeited")

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="redemptions")
    appointment = models.ForeignKey(
        "treatments.Appointment", on_delete=models.PROTECT, related_name="package_redemptions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reversed_reason = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["package", "reversed_at"], name="redemption_package_idx")]
        constraints = [
            # Redeeming the same appointment twice is refused by the database, whoever races.
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(reversed_at__isnull=True),
                name="redemption_one_live_per_appointment",
            ),
            models.CheckConstraint(
                condition=Q(reversed_at__isnull=True) | (Q(reversed_at__gte=F("at")) & ~Q(reversed_reason="")),
                name="redemption_reversal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.appointment_id} from package {self.package_id}"
