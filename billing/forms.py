"""The desk's billing forms. Amounts are typed as text and read by billing.money.parse_money
(exact, never a float); each money write carries its attempt key (a hidden field rendered once)
and the invoice's version as the page showed it."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import CodeSystem, Fee, Invoice
from billing.models.payments import COUNTED_METHODS, DESK_METHODS, PaymentMethod
from billing.money import MoneyError, format_money, parse_money
from clinic.models import Location


class MoneyField(forms.CharField):
    """An amount typed at the desk ("40", "40.50"), cleaned to integer minor units."""

    def __init__(self, *, allow_zero: bool = False, allow_negative: bool = False, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        self.allow_negative = allow_negative
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return format_money(value)
        return value

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        negative = self.allow_negative and text.strip().startswith("-")
        try:
            amount = parse_money(text.strip().removeprefix("-") if negative else text)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from None
        if negative:
            return -amount
        if amount == 0 and not self.allow_zero:
            raise forms.ValidationError(_("Enter an amount above zero."))
        return amount


def _key_field() -> forms.UUIDField:
    return forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class VersionedForm(forms.Form):
    """The invoice's version as the page showed it (the optimistic lock)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NewInvoiceForm(forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.filter(active=True), label=_("Location"))
    kind = forms.ChoiceField(choices=Invoice.Kind.choices, initial=Invoice.Kind.REGULAR, label=_("For"))
    note = forms.CharField(max_length=250, required=False, label=_("Note on the invoice"))


class FeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.description} — {format_money(obj.unit_price)}"


class FeeLineForm(VersionedForm):
    fee = FeeChoiceField(queryset=Fee.objects.none(), label=_("From the fee schedule"))
    quantity = forms.IntegerField(min_value=1, max_value=99, initial=1, label=_("Quantity"))

    def __init__(self, *args: Any, fees: list[Fee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["fee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Fee.objects.filter(pk__in=[f.pk for f in fees]).order_by("description")


class FreeLineForm(VersionedForm):
    description = forms.CharField(max_length=200, label=_("Description"))
    code_system = forms.ChoiceField(choices=CodeSystem.choices, initial=CodeSystem.INTERNAL, label=_("Code system"))
    code = forms.CharField(max_length=20, required=False, label=_("Code"))
    unit_price = MoneyField(label=_("Price"), allow_zero=True)
    quantity = forms.IntegerField(min_value=1, max_value=99, initial=1, label=_("Quantity"))
    tax_rate = forms.DecimalField(
        min_value=0, max_value=100, decimal_places=2, initial=0, label=_("Tax rate (%)"), required=False
    )
    tax_inclusive = forms.BooleanField(required=False, label=_("The price includes the tax"))

    def tax_rate_bp(self) -> int:
        rate = self.cleaned_data.get("tax_rate") or 0
        return int(rate * 100)


class IssueForm(VersionedForm):
    due_date = forms.DateField(required=False, label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))


class ReasonForm(VersionedForm):
    """Void: the clinic admin's reason, and the attempt key."""

    attempt_key = _key_field()
    reason = forms.CharField(max_length=250, label=_("Reason"), strip=True)


class WriteOffForm(ReasonForm):
    amount = MoneyField(label=_("Amount to write off"))


class CreditNoteForm(ReasonForm):
    description = forms.CharField(max_length=250, label=_("What is credited"))
    amount = MoneyField(label=_("Amount"))


class KeepCreditForm(VersionedForm):
    """What an invoice owes back, kept as the patient's credit (the desk's choice)."""

    attempt_key = _key_field()
    amount = MoneyField(label=_("Amount to keep as credit"))


class PaymentForm(forms.Form):
    """The amount, how it was paid, and how much goes to each of the patient's open invoices
    (one field per invoice, `alloc_<id>`, with its version in `version_<id>`)."""

    attempt_key = _key_field()
    method = forms.ChoiceField(
        choices=[(m.value, m.label) for m in DESK_METHODS], widget=forms.RadioSelect, label=_("Paid by")
    )
    amount = MoneyField(label=_("Amount received"))
    reference = forms.CharField(
        max_length=120,
        required=False,
        label=_("Reference"),
        help_text=_("Terminal receipt number, cheque number or transfer reference."),
    )
    keep_change_as_credit = forms.BooleanField(
        required=False, label=_("Keep any amount above the invoices as the patient's credit")
    )

    def __init__(self, *args: Any, invoices: list[Invoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invoices = invoices
        for invoice in invoices:
            self.fields[f"alloc_{invoice.pk}"] = MoneyField(
                required=False,
                allow_zero=True,
                label=_("To %(n)s (due %(balance)s)")
                % {"n": invoice.display_number, "balance": format_money(invoice.balance)},
            )
            self.fields[f"version_{invoice.pk}"] = forms.IntegerField(widget=forms.HiddenInput, initial=invoice.version)

    def allocation_fields(self) -> list[forms.BoundField]:
        return [self[f"alloc_{invoice.pk}"] for invoice in self.invoices]

    def version_fields(self) -> list[forms.BoundField]:
        return [self[f"version_{invoice.pk}"] for invoice in self.invoices]

    def allocations(self) -> list[tuple[int, int, int]]:
        """(invoice id, amount, version) for each invoice given an amount above zero."""
        rows = []
        for invoice in self.invoices:
            amount = self.cleaned_data.get(f"alloc_{invoice.pk}")
            if amount:
                rows.append((invoice.pk, amount, self.cleaned_data[f"version_{invoice.pk}"]))
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.invoices and not self.errors and not self.allocations() and not data.get("keep_change_as_credit"):
            raise forms.ValidationError(
                _("Say how much goes to which invoice, or keep the whole payment as the patient's credit.")
            )
        needs_reference = (PaymentMethod.CHEQUE, PaymentMethod.CARD_TERMINAL, PaymentMethod.BANK_TRANSFER)
        if data.get("method") in needs_reference and not (data.get("reference") or "").strip():
            self.add_error("reference", _("Enter the reference for this method."))
        return data


class RefundForm(forms.Form):
    attempt_key = _key_field()
    source = forms.ChoiceField(label=_("Refund from"))
    amount = MoneyField(label=_("Amount"))
    reason = forms.CharField(max_length=250, label=_("Reason"))

    def __init__(self, *args: Any, sources: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["source"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = sources

    def invoice_id(self) -> int | None:
        source = self.cleaned_data["source"]
        return None if source == "credit" else int(source)


class ReceiptEmailForm(forms.Form):
    attempt_key = _key_field()


class DayCloseForm(forms.Form):
    note = forms.CharField(
        max_length=250, required=False, label=_("Note"), help_text=_("Required when a count differs.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for method in COUNTED_METHODS:
            self.fields[f"counted_{method.value}"] = MoneyField(
                label=_("%(method)s counted") % {"method": method.label},
                allow_zero=True,
                allow_negative=True,
                required=False,
            )

    def counted(self) -> dict[str, int]:
        return {m.value: self.cleaned_data.get(f"counted_{m.value}") or 0 for m in COUNTED_METHODS}
