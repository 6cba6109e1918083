"""Billing's policies in the clinic's setup (the clinic admin): the one billing policy row (refund
rule, package expiry, export codes), deposits per protocol or appointment type, and the
late-cancel / no-show fee per appointment type. Packages and missed visits are read-only here:
billing.services writes them. Imported by billing/admin.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from billing.forms import MoneyField
from billing.models import BillingPolicy, CancellationPolicy, Charge, DepositPolicy, MissedVisit, Package
from clinic.admin_base import ReadOnlyAdmin


class _ChargeForm(forms.ModelForm):
    """A fixed amount typed as money, a percentage as a percent; both checked against the charge."""

    amount = MoneyField(label=_("Fixed amount"), allow_zero=True, required=False, help_text=_("e.g. 50 or 50.00"))
    percent = forms.DecimalField(
        label=_("Percentage of the fee"), min_value=0, max_value=100, decimal_places=2, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["percent"] = Decimal(self.instance.percent_bp) / 100

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        charge = data.get("charge")
        if charge == Charge.FIXED and not data.get("amount"):
            self.add_error("amount", _("Enter the fixed amount."))
        if charge == Charge.PERCENT and not data.get("percent"):
            self.add_error("percent", _("Enter the percentage."))
        return data

    def save(self, commit: bool = True) -> Any:
        charge = self.cleaned_data.get("charge")
        self.instance.amount = (self.cleaned_data.get("amount") or 0) if charge == Charge.FIXED else 0
        percent = self.cleaned_data.get("percent") or 0
        self.instance.percent_bp = int(percent * 100) if charge == Charge.PERCENT else 0
        return super().save(commit=commit)


class DepositPolicyForm(_ChargeForm):
    class Meta:
        model = DepositPolicy
        fields = ["appointment_type", "protocol", "charge", "amount"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("appointment_type")) == bool(data.get("protocol")):
            raise forms.ValidationError(_("A deposit is for either an appointment type or a protocol's series."))
        return data


class CancellationPolicyForm(_ChargeForm):
    class Meta:
        model = CancellationPolicy
        fields = ["appointment_type", "window_hours", "charge", "amount"]


@admin.register(BillingPolicy)
class BillingPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "refund_rule", "expiry_days", "expiry_notice_days"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not BillingPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:  # noqa: ARG002
        return False


@admin.register(DepositPolicy)
class DepositPolicyAdmin(admin.ModelAdmin):
    form = DepositPolicyForm
    list_display = ["__str__", "appointment_type", "protocol", "charge"]


@admin.register(CancellationPolicy)
class CancellationPolicyAdmin(admin.ModelAdmin):
    form = CancellationPolicyForm
    list_display = ["appointment_type", "window_hours", "charge"]


@admin.register(Package)
class PackageAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "sessions", "sold_at", "expires_on"]


@admin.register(MissedVisit)
class MissedVisitAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "reason", "decision", "recorded_at"]
