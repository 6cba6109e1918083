"""A series' clinical progress: sessions side by side, the pain chart, outcome scores, and the
printable one-page summary."""

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinic.audit import audit_record
from clinic.localtime import local_date, local_datetime
from clinic.roles import AuthenticatedHttpRequest, clinical_required
from treatments.clinical.access import series_for_clinical
from treatments.clinical.forms import ScoreForm
from treatments.clinical.selectors.records import series_progress
from treatments.clinical.services.outcomes import OutcomeError, outcome_add


def _page(request: HttpRequest, series, template: str, **extra) -> HttpResponse:
    progress = series_progress(series)
    audit_record(request=request, action="view", obj=series, patient_id=series.patient_id)
    return render(request, template, {"series": series, "patient": series.patient, "progress": progress, **extra})


@clinical_required
@require_GET
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    series = series_for_clinical(request.user, pk)
    today = local_date(timezone.now())
    form = ScoreForm(initial={"recorded_on": today})
    return _page(request, series, "treatments/progress_series.html", score_form=form)


@clinical_required
@require_GET
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    series = series_for_clinical(request.user, pk)
    return _page(request, series, "treatments/progress_summary.html", printed_on=timezone.now())


@clinical_required
@require_POST
def score_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    series = series_for_clinical(request.user, pk)
    form = ScoreForm(request.POST)
    error = ""
    if form.is_valid():
        now = timezone.now()
        day = form.cleaned_data["recorded_on"]
        # A date only: the score is placed at noon clinic time, away from any day boundary.
        recorded_at = local_datetime(day, dt.time(12, 0))
        if day == local_date(now):
            recorded_at = now
        try:
            score = outcome_add(
                series=series,
                measure=form.cleaned_data["measure"],
                value=form.cleaned_data["value"],
                recorded_at=recorded_at,
                user=request.user,
                now=now,
            )
            audit_record(request=request, action="create", obj=score, patient_id=series.patient_id)
            messages.success(request, _("The score is added."))
            return redirect("practice:progress", pk=series.pk)
        except OutcomeError as exc:
            error = str(exc)
    else:
        error = _("Nothing was saved: correct the fields marked below.")
    response = _page(request, series, "treatments/progress_series.html", score_form=form, error=error)
    response.status_code = 400
    return response
