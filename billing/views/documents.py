"""The papers on the staff side: a series' superbill and billing codes (the practitioner's forms:
the series' codes, and a code per attended visit), a patient's statement of account, a payment's
receipt and a Good Faith Estimate, each as a print page or a PDF (billing/documents.py). Ids go
through access helpers (404 for what a user may not see); every view is audited and no-store
(clinic.middleware)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from billing.access import may_code_visit, payment_for
from billing.documents import document_response, receipt_pdf_response
from billing.forms_documents import ReminderForm, SeriesCodingForm, VisitCodingForm
from billing.models import GoodFaithEstimate, SeriesCoding
from billing.selectors.documents import statement, superbill, visit_codes
from billing.services.documents import VisitCodeRequest, series_coding_save, visit_codings_save
from clinic.access import object_or_404
from clinic.audit import audit_record
from clinic.models import AuditEntry
from clinic.roles import AuthenticatedHttpRequest, clinical_required, desk_required
from patients.access import patient_for
from treatments.clinical.access import series_for_clinical
from treatments.scheduling.access import series_for

from ._common import actor, form_write, now


@desk_required
def series_superbill(request: AuthenticatedHttpRequest, series_id: int, fmt: str = "") -> HttpResponse:
    series = series_for(request.user, series_id)
    bill = superbill(series=series)
    audit_record(request=request, action=AuditEntry.Action.VIEW, obj=series, patient_id=series.patient_id)
    return document_response(
        request,
        template="billing/documents/superbill.html",
        context={"bill": bill, "portal": False},
        filename=f"superbill-{series.pk}",
        as_pdf=fmt == "pdf",
    )


@clinical_required
@require_http_methods(["GET", "POST"])
def series_coding(request: AuthenticatedHttpRequest, series_id: int) -> HttpResponse:
    series = series_for_clinical(request.user, series_id)
    coding = SeriesCoding.objects.filter(series=series).first()
    initial = (
        {"code": coding.code, "modifier": coding.modifier, "units": coding.units, "diagnoses": coding.diagnoses}
        if coding
        else {"code": "M0076", "units": 1}
    )
    form = SeriesCodingForm(request.POST or None, initial=initial)

    def save(data: dict) -> HttpResponse:
        series_coding_save(
            series_id=series.pk,
            code=data["code"],
            modifier=data["modifier"],
            units=data["units"],
            diagnoses=data["diagnoses"],
            now=now(),
            **actor(request),
        )
        messages.success(request, _("The billing codes are saved."))
        return redirect("billing:series_coding", series_id=series.pk)

    def page(status: int) -> HttpResponse:
        return render(request, "billing/series_coding.html", {"series": series, "form": form}, status=status)

    return form_write(request, form, write=save, again=page)


@clinical_required
@require_http_methods(["GET", "POST"])
def visit_coding(request: AuthenticatedHttpRequest, series_id: int) -> HttpResponse:
    """The code per attended visit (the payer may direct 20610 for one visit, M0076 for the
    others): the rows of the visits the user may code are the form; the others are read-only."""
    series = series_for_clinical(request.user, series_id)
    coding, rows = visit_codes(series=series)
    mine = [row for row in rows if may_code_visit(request.user, row.appointment)]
    form = VisitCodingForm(request.POST or None, visits=[(row.appointment, row.billed) for row in mine])
    if request.method == "POST" and not mine:
        raise PermissionDenied(_("Only the visit's practitioner or the clinic admin may choose its code."))

    def save(_data: dict) -> HttpResponse:
        changed = visit_codings_save(
            series_id=series.pk,
            rows=[VisitCodeRequest(pk, code, modifier, units) for pk, code, modifier, units in form.rows()],
            now=now(),
            **actor(request),
        )
        messages.success(
            request,
            ngettext("The code of %(n)d visit is saved.", "The codes of %(n)d visits are saved.", changed)
            % {"n": changed}
            if changed
            else _("Nothing changed."),
        )
        return redirect("billing:visit_coding", series_id=series.pk)

    def page(status: int) -> HttpResponse:
        editable = {row.appointment.pk for row in mine}
        table = [(row, form.fields_of(row.appointment.pk) if row.appointment.pk in editable else None) for row in rows]
        context = {"series": series, "coding": coding, "form": form, "table": table}
        return render(request, "billing/visit_coding.html", context, status=status)

    return form_write(request, form, write=save, again=page)


@desk_required
def patient_statement(request: AuthenticatedHttpRequest, patient_id: int, fmt: str = "") -> HttpResponse:
    patient = patient_for(request.user, patient_id)
    audit_record(request=request, action=AuditEntry.Action.VIEW, obj=patient, patient_id=patient.pk)
    return document_response(
        request,
        template="billing/documents/statement.html",
        context={"statement": statement(patient=patient, now=now()), "portal": False, "reminder_form": ReminderForm()},
        filename=f"statement-{patient.pk}",
        as_pdf=fmt == "pdf",
    )


@desk_required
def receipt_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    payment = payment_for(request.user, pk)
    audit_record(request=request, action=AuditEntry.Action.VIEW, obj=payment, patient_id=payment.patient_id)
    return receipt_pdf_response(request, payment)


@desk_required
def estimate(request: AuthenticatedHttpRequest, pk: int, fmt: str = "") -> HttpResponse:
    gfe = object_or_404(GoodFaithEstimate.objects.select_related("patient", "series"), pk, user=request.user)
    audit_record(request=request, action=AuditEntry.Action.VIEW, obj=gfe, patient_id=gfe.patient_id)
    return document_response(
        request,
        template="billing/documents/estimate.html",
        context={"gfe": gfe, "snap": gfe.snapshot},
        filename=f"good-faith-estimate-{gfe.pk}",
        as_pdf=fmt == "pdf",
    )
