"""The clinic admin's reports at /practice/reports/, with CSV export. Aggregates only: no patient
is named, so nothing here goes to the audit trail but the export itself."""

import csv
import datetime as dt

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from clinic.audit import audit_record
from clinic.localtime import local_date
from clinic.roles import admin_required
from treatments.clinical.selectors.reports import (
    Period,
    adverse_events_by_kind,
    change_by_protocol,
    sessions_per_month,
)

MAX_MONTHS = 36


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From (month)"), input_formats=["%Y-%m"])
    end = forms.DateField(label=gettext_lazy("To (month)"), input_formats=["%Y-%m"])

    def clean(self):
        d = super().clean()
        start, end = d.get("start"), d.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end month must not be before the start month."))
            if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
                raise forms.ValidationError(_("Choose at most %(n)s months.") % {"n": MAX_MONTHS})
        return d


def _default_period() -> tuple[dt.date, dt.date]:
    """The last twelve months, this one included."""
    today = local_date(timezone.now())
    if today.month == 12:
        return dt.date(today.year, 1, 1), today
    return dt.date(today.year - 1, today.month + 1, 1), today


def _period(request: HttpRequest) -> tuple[PeriodForm, Period | None]:
    if "start" in request.GET or "end" in request.GET:
        form = PeriodForm(request.GET)
    else:
        first, last = _default_period()
        form = PeriodForm({"start": first.strftime("%Y-%m"), "end": last.strftime("%Y-%m")})
    if not form.is_valid():
        return form, None
    return form, Period.months(form.cleaned_data["start"], form.cleaned_data["end"])


@admin_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    form, period = _period(request)
    context: dict[str, object] = {"form": form}
    if period is not None:
        events, signed = adverse_events_by_kind(period)
        context.update(
            sessions=sessions_per_month(period),
            events=events,
            signed=signed,
            change=change_by_protocol(period),
            query=request.GET.urlencode() or f"start={form.data['start']}&end={form.data['end']}",
        )
    return render(request, "treatments/report_index.html", context, status=200 if period else 400)


def _rows(table: str, period: Period) -> list[list]:
    if table == "sessions":
        return [["practitioner", "month", "signed_sessions"]] + [
            [r["practitioner"], r["month"].strftime("%Y-%m"), r["sessions"]] for r in sessions_per_month(period)
        ]
    if table == "adverse-events":
        events, signed = adverse_events_by_kind(period)
        return [["kind", "events", "sessions_with_event", "signed_sessions"]] + [
            [r["kind"], r["events"], r["sessions_with"], signed] for r in events
        ]
    if table == "pain-change":
        header = ["protocol", "series", "pain_n", "pain_mean_change", "pain_sd", "womac_n", "womac_mean_improvement"]
        rows = [[*header, "womac_sd", "published_within_group_context"]]
        for r in change_by_protocol(period):
            context = "; ".join(f"{p['study']}: {p['result']}" for p in r["published"])
            rows.append(
                [r["protocol"], r["series"], r["pain_n"], r["pain_mean"], r["pain_sd"], r["womac_n"], r["womac_mean"]]
                + [r["womac_sd"], context]
            )
        return rows
    raise Http404


@admin_required
@require_GET
def export(request: HttpRequest, table: str) -> HttpResponse:
    form, period = _period(request)
    if period is None:
        return HttpResponse(_("Choose a valid period."), status=400, content_type="text/plain; charset=utf-8")
    rows = _rows(table, period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="prolo-{table}.csv"'
    csv.writer(response).writerows(rows)
    audit_record(request=request, action="export", object_type="report", object_id=table)
    return response
