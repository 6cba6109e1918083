"""The practitioner's small forms: the series' billing code, modifier, units and diagnosis codes,
and the code per attended visit; the desk's forms for the patient's billing details and a balance
reminder."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from billing.models import BillingCode
from billing.models.documents import (
    CODE_CHOICE_MESSAGE,
    UNITS_MESSAGE,
    VisitCode,
    checked_modifier,
    parse_icd10_codes,
)
from treatments.models import Appointment

UNITS_ERRORS = {"min_value": UNITS_MESSAGE, "max_value": UNITS_MESSAGE, "invalid": UNITS_MESSAGE}
CODE_ERRORS = {"invalid_choice": CODE_CHOICE_MESSAGE, "required": CODE_CHOICE_MESSAGE}


class SeriesCodingForm(forms.Form):
    code = forms.ChoiceField(
        label=_("Procedure code"),
        choices=BillingCode.choices,
        widget=forms.RadioSelect,
        help_text=_("M0076 unless the patient's payer directs 20550 or 20610."),
        error_messages=CODE_ERRORS,
    )
    modifier = forms.CharField(label=_("Modifier"), max_length=2, required=False, help_text=_("e.g. RT or LT"))
    units = forms.IntegerField(
        label=_("Units per visit"), min_value=1, max_value=99, initial=1, error_messages=UNITS_ERRORS
    )
    diagnoses = forms.CharField(
        label=_("Diagnosis codes (ICD-10)"),
        max_length=120,
        required=False,
        help_text=_("In order of importance, separated by spaces or commas, e.g. M17.11 M25.561."),
    )

    def clean_modifier(self) -> str:
        return checked_modifier(str(self.cleaned_data.get("modifier") or ""))

    def clean_diagnoses(self) -> str:
        return " ".join(parse_icd10_codes(str(self.cleaned_data.get("diagnoses") or "")))


class VisitCodingForm(forms.Form):
    """One form for the series' attended visits this user may code: `code_<id>`, `modifier_<id>`
    and `units_<id>` per visit, each starting from what the visit is billed with now."""

    def __init__(self, *args: Any, visits: list[tuple[Appointment, VisitCode]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visit_ids: list[int] = []
        for appointment, billed in visits:
            pk = appointment.pk
            self.visit_ids.append(pk)
            self.fields[f"code_{pk}"] = forms.ChoiceField(
                label=_("Code"), choices=BillingCode.choices, initial=billed.code, error_messages=CODE_ERRORS
            )
            # No max_length: a wrong modifier gets the rule's own words, not a length count.
            self.fields[f"modifier_{pk}"] = forms.CharField(
                label=_("Modifier"), required=False, initial=billed.modifier
            )
            self.fields[f"units_{pk}"] = forms.IntegerField(
                label=_("Units"), min_value=1, max_value=99, initial=billed.units, error_messages=UNITS_ERRORS
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for pk in self.visit_ids:
            name = f"modifier_{pk}"
            if name in data:
                try:
                    data[name] = checked_modifier(str(data[name] or ""))
                except ValidationError as exc:
                    self.add_error(name, exc)
        return data

    def rows(self) -> list[tuple[int, str, str, int]]:
        """(appointment id, code, modifier, units) per visit, once the form is valid."""
        data = self.cleaned_data
        return [(pk, data[f"code_{pk}"], data[f"modifier_{pk}"], data[f"units_{pk}"]) for pk in self.visit_ids]

    def fields_of(self, pk: int) -> tuple[forms.BoundField, forms.BoundField, forms.BoundField]:
        return self[f"code_{pk}"], self[f"modifier_{pk}"], self[f"units_{pk}"]


MEMBER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]*$")


class BillingDetailsForm(forms.Form):
    address = forms.CharField(
        label=_("Postal address"),
        max_length=250,
        required=False,
        help_text=_("As the insurer should read it on the superbill, on one line."),
    )
    payer = forms.CharField(label=_("Insurer"), max_length=120, required=False)
    member_id = forms.CharField(
        label=_("Insurer member id"), max_length=40, required=False, help_text=_("As on the insurance card.")
    )
    self_pay = forms.BooleanField(
        label=_("Pays the clinic directly (self-pay)"),
        required=False,
        help_text=_("A self-pay patient in the US gets a Good Faith Estimate when a series is booked."),
    )

    def clean_member_id(self) -> str:
        value = str(self.cleaned_data.get("member_id") or "").strip()
        if value and not MEMBER_ID.match(value):
            raise ValidationError(_("A member id is letters and digits (spaces and dashes allowed), as on the card."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("member_id") and not str(data.get("payer") or "").strip():
            self.add_error("payer", _("Name the insurer the member id belongs to."))
        return data


class ReminderForm(forms.Form):
    """ "Send a balance reminder": the press's attempt key (a double click queues one message)."""

    attempt_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
