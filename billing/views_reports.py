"""Money reports for a chosen period (billing.selectors.reports): on screen, as CSV, and as Xero's
sales-invoice import file. The clinic admin sees every practitioner; a practitioner sees their own
figures only; the front desk does not see the reports. Every text cell of an export is escaped
against formula injection (clinic.csv_cells)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from billing.money import format_money, to_decimal
from billing.selectors.reports import BUCKETS, BillingReport, ReportRow, billing_report
from billing.selectors.xero import xero_rows
from clinic import roles
from clinic.audit import audit_record
from clinic.csv_cells import csv_response
from clinic.localtime import local_date
from clinic.models import Practitioner
from clinic.roles import clinical_required

LONGEST_DAYS = 366 * 2


class PeriodForm(forms.Form):
    first = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if isinstance(first, dt.date) and isinstance(last, dt.date):
            if last < first:
                raise forms.ValidationError(_("The period ends before it starts."))
            if (last - first).days > LONGEST_DAYS:
                raise forms.ValidationError(_("Choose a period of at most two years."))
        return data


def _period(request: HttpRequest) -> tuple[PeriodForm, dt.date | None, dt.date | None]:
    today = local_date(timezone.now())
    if "first" not in request.GET and "last" not in request.GET:
        first = today.replace(day=1)
        form = PeriodForm({"first": first.isoformat(), "last": today.isoformat()})
    else:
        form = PeriodForm(request.GET)
    if not form.is_valid():
        return form, None, None
    return form, form.cleaned_data["first"], form.cleaned_data["last"]


def _whose(request: HttpRequest) -> int | None:
    """None: every practitioner (the clinic admin); else the practitioner's own id (-1 when the
    user has the role but no practitioner record: nothing)."""
    if roles.has_role(request.user, roles.CLINIC_ADMIN):
        return None
    own = Practitioner.objects.filter(user_id=request.user.pk or 0).values_list("pk", flat=True).first()
    return own if own is not None else -1


def _report(request: HttpRequest, first: dt.date, last: dt.date) -> BillingReport:
    return billing_report(first=first, last=last, today=local_date(timezone.now()), practitioner_id=_whose(request))


@clinical_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    form, first, last = _period(request)
    data = _report(request, first, last) if first and last else None
    context = {
        "form": form,
        "report": data,
        "buckets": BUCKETS,
        "rows": [_shown(r) for r in data.rows] if data else [],
        "totals": _shown(data.totals) if data else None,
        "query": request.GET.urlencode() if first else "",
        "own_only": _whose(request) is not None,
    }
    return render(request, "billing/reports.html", context, status=200 if data else 400)


def _shown(row: ReportRow) -> dict[str, object]:
    return {
        "practitioner": row.practitioner,
        "location": row.location,
        "invoiced": format_money(row.invoiced),
        "credited": format_money(row.credited),
        "collected": format_money(row.collected),
        "aged": [(bucket, format_money(a)) for bucket, a in zip(BUCKETS, row.aged, strict=True)],
        "outstanding": format_money(row.outstanding),
        "liability": format_money(row.liability),
    }


def _bad_period() -> HttpResponse:
    return HttpResponse(_("Choose a valid period."), status=400, content_type="text/plain; charset=utf-8")


@clinical_required
@require_GET
def report_csv(request: HttpRequest) -> HttpResponse:
    _form, first, last = _period(request)
    if not (first and last):
        return _bad_period()
    data = _report(request, first, last)
    header = ["practitioner", "location", "invoiced", "credited", "collected"]
    header += [f"outstanding_{b}" for b in BUCKETS] + ["outstanding", "unredeemed_package_liability"]
    rows: list[list[object]] = [list(header)]
    for r in data.rows:
        amounts = [r.invoiced, r.credited, r.collected, *r.aged, r.outstanding, r.liability]
        rows.append([r.practitioner, r.location, *(to_decimal(a) for a in amounts)])
    audit_record(request=request, action="export", object_type="report", object_id="billing")
    return csv_response(rows, filename=f"prolo-billing-{first}-{last}.csv")


@clinical_required
@require_GET
def xero_csv(request: HttpRequest) -> HttpResponse:
    _form, first, last = _period(request)
    if not (first and last):
        return _bad_period()
    rows = xero_rows(first=first, last=last, practitioner_id=_whose(request))
    audit_record(request=request, action="export", object_type="report", object_id="xero")
    return csv_response(rows, filename=f"prolo-xero-sales-invoices-{first}-{last}.csv")
