"""The fee schedule: what a visit of a type, or a protocol's package, costs from a date."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from clinic.models import AppointmentType


class CodeSystem(models.TextChoices):
    CPT = "cpt", "CPT"
    HCPCS = "hcpcs", "HCPCS"
    INTERNAL = "internal", _("Internal")


class Fee(models.Model):
    """One price, for either an appointment type (a visit) or a protocol (its package), valid from
    `valid_from` to `valid_to` (both inclusive; no end = still valid). An invoice line copies the
    code, description, price and tax, so changing a fee never rewrites an invoice."""

    appointment_type = models.ForeignKey(
        AppointmentType, null=True, blank=True, on_delete=models.PROTECT, related_name="fees"
    )
    protocol = models.ForeignKey(
        "treatments.Protocol",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fees",
        help_text=_("For a package: the protocol whose sessions it covers."),
    )
    package_sessions = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("A package only: how many sessions its price covers.")
    )
    code_system = models.CharField(max_length=8, choices=CodeSystem.choices, default=CodeSystem.INTERNAL)
    code = models.CharField(max_length=20, help_text=_("e.g. M0076, 20610, or the clinic's own code"))
    modifier = models.CharField(max_length=10, blank=True)
    description = models.CharField(max_length=200)
    unit_price = models.BigIntegerField(help_text=_("In minor units (cents/pence)."))
    tax_rate_bp = models.PositiveIntegerField(default=0, help_text=_("Tax rate in basis points: 2000 = 20%."))
    tax_inclusive = models.BooleanField(default=False, help_text=_("The price already includes the tax."))
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["description", "-valid_from"]
        indexes = [
            models.Index(fields=["appointment_type", "valid_from"], name="fee_type_from_idx"),
            models.Index(fields=["protocol", "valid_from"], name="fee_protocol_from_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(appointment_type__isnull=False, protocol__isnull=True, package_sessions__isnull=True)
                | Q(appointment_type__isnull=True, protocol__isnull=False, package_sessions__gte=1),
                name="fee_type_xor_package",
            ),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="fee_price_not_negative"),
            models.CheckConstraint(condition=Q(tax_rate_bp__lte=10000), name="fee_tax_rate_at_most_100pc"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="fee_valid_to_after_from"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"
