"""A letter to the referring doctor from a series' summary. The practitioner writes the recipient
and the opening; the rest — protocol, sessions, scores and charts — is filled in from the record,
so it cannot say something the record does not. Nothing is stored: the letter is printed (or
saved as PDF) from the browser on the clinic's letterhead."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from clinic.audit import audit_record
from clinic.roles import clinical_required
from treatments.clinical.access import series_for_clinical
from treatments.clinical.selectors.records import series_progress


class LetterForm(forms.Form):
    KINDS = [("progress", gettext_lazy("Progress report")), ("referral", gettext_lazy("Referral"))]

    kind = forms.ChoiceField(choices=KINDS, label=gettext_lazy("Letter"))
    recipient = forms.CharField(max_length=120, label=gettext_lazy("To (the referring doctor)"))
    address = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}), label=gettext_lazy("Address")
    )
    opening = forms.CharField(
        max_length=3000, widget=forms.Textarea(attrs={"rows": 5}), label=gettext_lazy("Opening (yours to edit)")
    )


# Conditions named after a person (or a Greek hero) keep their capital inside a sentence.
EPONYMS = ("Achilles", "Osgood", "De Quervain", "Morton", "Baker", "Dupuytren")


def in_sentence(label: str) -> str:
    """A condition as the middle of a sentence writes it: "knee osteoarthritis", but
    "Osgood-Schlatter disease" and "Achilles tendinopathy" as they are."""
    if not label or label.startswith(EPONYMS):
        return label
    return label[0].lower() + label[1:]


def _default_opening(series) -> str:
    condition = in_sentence(series.protocol.condition_label)
    return _(
        "Thank you for referring %(patient)s, whom we are treating with prolotherapy for %(condition)s. "
        "This letter summarises the treatment so far; the details below are taken from our records."
    ) % {"patient": series.patient.full_name, "condition": condition}


@clinical_required
@require_http_methods(["GET", "POST"])
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form with a suggested opening and the letter drafted from it. POST: the letter as
    edited (a read; nothing is saved, so POST only keeps clinical text out of URLs and logs)."""
    series = series_for_clinical(request.user, pk)
    if request.method == "POST":
        form = LetterForm(request.POST)
        valid = form.is_valid()
        values = form.cleaned_data if valid else {}
    else:
        initial = {"kind": "progress", "opening": _default_opening(series)}
        form = LetterForm(initial=initial)
        valid, values = False, {**initial, "recipient": "", "address": ""}
    audit_record(request=request, action="export" if valid else "view", obj=series, patient_id=series.patient_id)
    context = {
        "series": series,
        "patient": series.patient,
        "progress": series_progress(series),
        "form": form,
        "letter": values,
        "kind_label": dict(LetterForm.KINDS).get(values.get("kind", "progress"), ""),
        "ready": valid,
        "printed_on": timezone.now(),
    }
    status = 400 if request.method == "POST" and not valid else 200
    return render(request, "treatments/letter.html", context, status=status)
