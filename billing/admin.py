"""Billing in the clinic's setup: the fee schedule is edited here by the clinic admin; every ledger
(invoices, payments, refunds, credit notes, the day's close, the history) is read-only, written only
by billing.services."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from billing.forms import MoneyField
from billing.models import (
    BillingEvent,
    CreditNote,
    DayClose,
    Fee,
    Invoice,
    PatientBillingDetails,
    PatientCredit,
    Payment,
    Refund,
    WriteOff,
)
from billing.money import format_money, format_rate
from clinic.admin_base import ReadOnlyAdmin


class FeeForm(forms.ModelForm):
    unit_price = MoneyField(label=_("Price"), allow_zero=True, help_text=_("e.g. 150 or 150.00"))
    tax_rate = forms.DecimalField(
        label=_("Tax rate (%)"), min_value=0, max_value=100, decimal_places=2, initial=0, required=False
    )

    class Meta:
        model = Fee
        fields = [
            "appointment_type",
            "protocol",
            "package_sessions",
            "code_system",
            "code",
            "modifier",
            "description",
            "unit_price",
            "tax_inclusive",
            "valid_from",
            "valid_to",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tax_rate"] = Decimal(self.instance.tax_rate_bp) / 100

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        visit, package = data.get("appointment_type"), data.get("protocol")
        if bool(visit) == bool(package):
            raise forms.ValidationError(
                _("A fee is for either an appointment type (a visit) or a protocol (a package).")
            )
        if package and not data.get("package_sessions"):
            self.add_error("package_sessions", _("Say how many sessions the package covers."))
        if visit and data.get("package_sessions"):
            self.add_error("package_sessions", _("Only a package covers a number of sessions."))
        valid_from, valid_to = data.get("valid_from"), data.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", _("The last day cannot be before the first."))
        return data

    def save(self, commit: bool = True) -> Fee:
        self.instance.tax_rate_bp = int((self.cleaned_data.get("tax_rate") or 0) * 100)
        return super().save(commit=commit)


@admin.register(Fee)
class FeeAdmin(admin.ModelAdmin):
    form = FeeForm
    list_display = ["code", "description", "price", "tax", "appointment_type", "protocol", "valid_from", "valid_to"]
    list_filter = ["code_system", "appointment_type", "protocol"]
    search_fields = ["code", "description"]

    @admin.display(description=_("price"))
    def price(self, obj: Fee) -> str:
        return format_money(obj.unit_price)

    @admin.display(description=_("tax"))
    def tax(self, obj: Fee) -> str:
        return format_rate(obj.tax_rate_bp) + (" incl." if obj.tax_inclusive else "")


@admin.register(PatientBillingDetails)
class PatientBillingDetailsAdmin(ReadOnlyAdmin):
    """What the superbill prints about a patient beyond name and birth date, and whether they pay
    for themselves (a Good Faith Estimate is due in the US). Read-only like every admin of patient
    data (tests/clinic/test_admin_read_only.py): the admin writes no patient data."""

    list_display = ["patient", "payer", "member_id", "self_pay"]
    autocomplete_fields = ["patient"]
    search_fields = ["patient__last_name", "member_id"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "patient", "location", "status", "kind", "issue_date", "total", "balance"]
    list_filter = ["status", "kind", "location"]
    search_fields = ["number", "patient__last_name"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["taken_at", "patient", "method", "amount", "business_date", "location"]
    list_filter = ["method", "location"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["refunded_at", "payment", "method", "amount", "reason"]


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "invoice", "total", "reason", "issued_at"]


@admin.register(WriteOff)
class WriteOffAdmin(ReadOnlyAdmin):
    list_display = ["at", "invoice", "amount", "reason"]


@admin.register(PatientCredit)
class PatientCreditAdmin(ReadOnlyAdmin):
    list_display = ["at", "patient", "amount"]


@admin.register(DayClose)
class DayCloseAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "location", "closed_by", "closed_at"]


@admin.register(BillingEvent)
class BillingEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "invoice", "payment", "amount", "by"]
    list_filter = ["action"]


# The policies (deposits, late-cancel fees, the billing policy) and the read-only packages and
# missed visits: billing/admin_policies.py.
from billing import admin_policies  # noqa: E402, F401
