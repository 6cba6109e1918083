"""The clinic's billing policies: deposits at booking, late-cancellation and no-show fees, and how
packages expire and are refunded. See billing/README.md, "Deposits", "Late cancellation and
no-show" and "Series packages"."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clinic.models import AppointmentType

from .invoices import Invoice
from .packages import PackageRedemption, RefundRule


class BillingPolicy(models.Model):
    """One row (pk 1), edited in the admin: how the clinic closes and expires packages, and the
    account codes its accounting export uses."""

    refund_rule = models.CharField(
        max_length=12,
        choices=RefundRule.choices,
        default=RefundRule.SINGLE_VISIT,
        help_text=_("What a package closed early gives back for the sessions not used."),
    )
    expiry_days = models.PositiveSmallIntegerField(
        default=365, help_text=_("A package expires this many days after the sale; 0 = never.")
    )
    expiry_notice_days = models.PositiveSmallIntegerField(
        default=30, help_text=_("The patient is told this many days before a package with sessions left expires.")
    )
    balance_reminder_days = models.PositiveSmallIntegerField(
        default=0,
        help_text=_(
            "Remind a patient of what they owe when an invoice has been unpaid this many days, and again "
            "at most once every this many days; 0 = never (the desk can still send one)."
        ),
    )

    xero_account_code = models.CharField(
        max_length=20, default="200", help_text=_("The sales account in Xero's invoice import (200 = Sales).")
    )
    xero_tax_type = models.CharField(
        max_length=40, default="Tax Exempt", help_text=_("Xero's tax type for lines without tax.")
    )
    xero_tax_type_taxed = models.CharField(
        max_length=40, default="Tax on Sales", help_text=_("Xero's tax type for lines with tax.")
    )

    class Meta:
        verbose_name = _("billing policy")
        verbose_name_plural = _("billing policy")

    def __str__(self) -> str:
        return str(_("Billing policy"))

    @classmethod
    def current(cls) -> "BillingPolicy":
        return cls.objects.get_or_create(pk=1)[0]


class Charge(models.TextChoices):
    NONE = "none", _("None")
    FIXED = "fixed", _("A fixed amount")
    PERCENT = "percent", _("A percentage of the fee")


# What a deposit or a late-cancel policy charges has its figure: a fixed amount above zero, or a
# percentage above 0 and at most 100 % (both policies' constraint).
AMOUNT_FITS_CHARGE = (
    Q(charge="none") | Q(charge="fixed", amount__gt=0) | Q(charge="percent", percent_bp__gt=0, percent_bp__lte=10000)
)


class DepositPolicy(models.Model):
    """A deposit invoiced at booking: for a standalone visit of a type (applied to that first visit)
    or for a protocol's series (applied to its package)."""

    appointment_type = models.OneToOneField(
        AppointmentType, null=True, blank=True, on_delete=models.CASCADE, related_name="deposit_policy"
    )
    protocol = models.OneToOneField(
        "treatments.Protocol", null=True, blank=True, on_delete=models.CASCADE, related_name="deposit_policy"
    )
    charge = models.CharField(max_length=8, choices=Charge.choices, default=Charge.NONE)
    amount = models.BigIntegerField(default=0, help_text=_("Fixed: in minor units."))
    percent_bp = models.PositiveIntegerField(default=0, help_text=_("Percentage in basis points: 2500 = 25%."))

    class Meta:
        verbose_name_plural = _("deposit policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(appointment_type__isnull=False, protocol__isnull=True)
                | Q(appointment_type__isnull=True, protocol__isnull=False),
                name="deposit_policy_type_xor_protocol",
            ),
            models.CheckConstraint(
                condition=AMOUNT_FITS_CHARGE,
                name="deposit_policy_amount_fits_charge",
            ),
        ]

    def __str__(self) -> str:
        return f"deposit: {self.get_charge_display()}"


class CancellationPolicy(models.Model):
    """A late cancellation (inside the window) or a no-show of this type may cost a fee; the desk
    always chooses (fee, forfeit one package session, or a waiver with a reason)."""

    appointment_type = models.OneToOneField(
        AppointmentType, on_delete=models.CASCADE, related_name="cancellation_policy"
    )
    window_hours = models.PositiveSmallIntegerField(
        default=24, help_text=_("A cancellation inside this many hours before the start is late.")
    )
    charge = models.CharField(max_length=8, choices=Charge.choices, default=Charge.FIXED)
    amount = models.BigIntegerField(default=0, help_text=_("Fixed: in minor units."))
    percent_bp = models.PositiveIntegerField(default=0, help_text=_("Percentage of the visit's fee, in basis points."))

    class Meta:
        verbose_name_plural = _("cancellation policies")
        constraints = [
            models.CheckConstraint(condition=Q(window_hours__gte=1), name="cancellation_policy_window_positive"),
            models.CheckConstraint(
                condition=AMOUNT_FITS_CHARGE,
                name="cancellation_policy_amount_fits_charge",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_type}: {self.window_hours} h"


class MissedVisit(models.Model):
    """A late cancellation or no-show waiting for the desk's choice, then the choice made. Nothing
    is charged until a person chooses."""

    class Reason(models.TextChoices):
        LATE_CANCEL = "late_cancel", _("Late cancellation")
        NO_SHOW = "no_show", _("No-show")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting for the desk")
        FEE = "fee", _("Fee charged")
        FORFEIT = "forfeit", _("Package session forfeited")
        WAIVED = "waived", _("Waived")

    appointment = models.OneToOneField("treatments.Appointment", on_delete=models.PROTECT, related_name="missed_visit")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    fee = models.BigIntegerField(help_text=_("The policy's fee when it was recorded, in minor units (0 = none)."))
    recorded_at = models.DateTimeField()
    decision = models.CharField(max_length=8, choices=Decision.choices, default=Decision.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waiver_reason = models.CharField(max_length=250, blank=True)
    invoice = models.OneToOneField(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="missed_visit"
    )
    redemption = models.OneToOneField(
        PackageRedemption, null=True, blank=True, on_delete=models.PROTECT, related_name="missed_visit"
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["decision", "recorded_at"], name="missed_visit_decision_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(fee__gte=0), name="missed_visit_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(decision="pending", decided_at__isnull=True)
                | Q(decision="fee", decided_at__isnull=False, invoice__isnull=False)
                | Q(decision="forfeit", decided_at__isnull=False, redemption__isnull=False)
                | (Q(decision="waived", decided_at__isnull=False) & ~Q(waiver_reason="")),
                name="missed_visit_decision_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} {self.appointment_id}: {self.decision}"
