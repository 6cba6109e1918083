"""The practitioner's small form: the series' billing code, modifier, units and diagnosis codes."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from billing.models import BillingCode
from billing.models.documents import parse_icd10_codes


class SeriesCodingForm(forms.Form):
    code = forms.ChoiceField(
        label=_("Procedure code"),
        choices=BillingCode.choices,
        widget=forms.RadioSelect,
        help_text=_("M0076 unless the patient's payer directs 20550 or 20610."),
    )
    modifier = forms.CharField(label=_("Modifier"), max_length=2, required=False, help_text=_("e.g. RT or LT"))
    units = forms.IntegerField(label=_("Units per visit"), min_value=1, max_value=99, initial=1)
    diagnoses = forms.CharField(
        label=_("Diagnosis codes (ICD-10)"),
        max_length=120,
        required=False,
        help_text=_("In order of importance, separated by spaces or commas, e.g. M17.11 M25.561."),
    )

    def clean_modifier(self) -> str:
        value = str(self.cleaned_data.get("modifier") or "").strip().upper()
        if value and (len(value) != 2 or not value.isalnum()):
            raise ValidationError(_("A modifier is two letters or digits, e.g. RT."))
        return value

    def clean_diagnoses(self) -> str:
        return " ".join(parse_icd10_codes(str(self.cleaned_data.get("diagnoses") or "")))
