"""Forms of the desk's package and missed-visit pages. Each write form carries an attempt key
rendered into the page, so a double click has one effect."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import MissedVisit


class AttemptForm(forms.Form):
    attempt_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class ReasonForm(AttemptForm):
    reason = forms.CharField(label=_("Reason"), max_length=250)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Why the session goes back to the package"), max_length=250)


class MissedVisitForm(forms.Form):
    CHOICES = [
        (MissedVisit.Decision.FEE, _("Charge the fee")),
        (MissedVisit.Decision.FORFEIT, _("Forfeit one package session")),
        (MissedVisit.Decision.WAIVED, _("Waive it")),
    ]
    decision = forms.ChoiceField(
        label=_("What happens"),
        choices=CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happens: the fee, a package session or a waiver.")},
    )
    waiver_reason = forms.CharField(label=_("Reason for the waiver"), max_length=250, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("decision") == MissedVisit.Decision.WAIVED and not (data.get("waiver_reason") or "").strip():
            self.add_error("waiver_reason", _("Give a reason for waiving the fee."))
        return data
