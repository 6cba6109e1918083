"""The public self-check and the consultation request. Every field has a length limit and a plain
error message; the honeypot is a field people never see."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.forms import text_field

from .models import ConsultationRequest

YES_NO = [("yes", _("Yes")), ("no", _("No"))]

# The questions, in the order shown. The first asks whether the pain is the kind prolotherapy is used
# for; the rest come from the screening list (docs/clinical-facts.md, "Screening").
SELF_CHECK_QUESTIONS = [
    ("long_pain", _("Have you had pain in a joint, tendon or ligament for 3 months or longer?")),
    ("blood_thinners", _("Do you take blood thinners, or do you bleed or bruise very easily?")),
    ("infection", _("Do you have a fever or an infection at the moment?")),
    ("allergy", _("Are you allergic to corn or dextrose, numbing medicines, latex or fish?")),
    ("pregnancy", _("Are you pregnant, or could you be?")),
    ("cancer_pain", _("Has a doctor told you that your pain is caused by cancer?")),
]

PHONE_RE = re.compile(r"^\+?[0-9][0-9 ().\-]{5,18}[0-9]$")


class SelfCheckForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label in SELF_CHECK_QUESTIONS:
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Please answer yes or no."),
                    "invalid_choice": _("Please answer yes or no."),
                },
            )

    def answers(self) -> dict[str, bool]:
        return {name: self.cleaned_data[name] == "yes" for name, _label in SELF_CHECK_QUESTIONS}


class ConsultationRequestForm(forms.Form):
    name = text_field(
        label=_("Your name"),
        max_length=120,
        required=True,
        error_messages={"required": _("Please tell us your name.")},
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("This does not look like an e-mail address, e.g. name@example.com.")},
    )
    phone = text_field(label=_("Phone number"), max_length=20)
    preferred_times = text_field(
        label=_("When is it best to reach you?"),
        help_text=_("For example: weekday mornings, or after 5 pm."),
        max_length=250,
    )
    message = text_field(
        label=_("Anything you would like us to know (optional)"),
        help_text=_("Please do not write private medical details here; we will ask when we call."),
        max_length=2000,
        rows=4,
    )
    consent = forms.BooleanField(
        label=_("I agree that the clinic may contact me about this request."),
        error_messages={"required": _("We can only get back to you if you agree to be contacted.")},
    )
    # The honeypot: hidden from people by CSS, left empty by them, filled in by most spam robots.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_RE.match(phone):
            raise forms.ValidationError(_("Please enter a phone number using digits, e.g. +1 312 555 0100."))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data; None only from a subclass that says so
        if (
            not data.get("email")
            and not data.get("phone")
            and not self.has_error("email")
            and not self.has_error("phone")
        ):
            raise forms.ValidationError(_("Please give an e-mail address or a phone number, so we can reach you."))
        return data

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class ConsultationStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(ConsultationRequest.Status.CONTACTED, ""), (ConsultationRequest.Status.CLOSED, "")],
        error_messages={"invalid_choice": _("Unknown status.")},
    )
