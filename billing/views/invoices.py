"""Invoice pages: the list, a new draft, the invoice with its lines and history, and the writes on
it (lines, issue, discard; void, write-off and credit notes are the clinic admin's)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing import services
from billing.access import invoice_for
from billing.forms import (
    CreditNoteForm,
    FeeLineForm,
    FreeLineForm,
    IssueForm,
    KeepCreditForm,
    NewInvoiceForm,
    ReasonForm,
    WriteOffForm,
)
from billing.models import Invoice
from billing.selectors.documents import estimates_exceeded
from billing.selectors.fees import fees_valid_on
from billing.selectors.pages import invoice_list, invoice_page
from clinic.audit import audit_record
from clinic.localtime import local_date
from clinic.models import AuditEntry
from clinic.roles import CLINIC_ADMIN, AuthenticatedHttpRequest, admin_required, desk_required, has_role
from patients.access import patient_for
from treatments.scheduling.access import appointment_for

from ._common import actor, now, refusal


@desk_required
def invoices(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The newest invoices; ?status= narrows them, ?patient= shows one patient's (with a button
    for a new invoice for them)."""
    status = request.GET.get("status", "")
    if status not in Invoice.Status.values:
        status = ""
    patient = patient_for(request.user, request.GET["patient"]) if request.GET.get("patient") else None
    rows = invoice_list(status=status, patient_id=patient.pk if patient else None)
    ctx: dict[str, object] = {
        "invoices": rows,
        "status": status,
        "statuses": Invoice.Status.choices,
        "patient": patient,
    }
    if patient is not None:
        ctx["credit"] = services.credit_balance(patient.pk)
    return render(request, "billing/invoice_list.html", ctx)


@desk_required
def invoice_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A draft for a patient (?patient=), or for a visit (?appointment=)."""
    appointment = None
    if request.GET.get("appointment") or request.POST.get("appointment"):
        appointment = appointment_for(request.user, request.GET.get("appointment") or request.POST["appointment"])
        patient = appointment.patient
    else:
        patient = patient_for(request.user, request.GET.get("patient") or request.POST.get("patient") or "")
    initial = {"location": appointment.location_id if appointment else None}
    form = NewInvoiceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            invoice = services.invoice_create_draft(
                patient_id=patient.pk,
                location_id=form.cleaned_data["location"].pk,
                kind=form.cleaned_data["kind"],
                appointment_id=appointment.pk if appointment else None,
                series_id=appointment.series_id if appointment else None,
                practitioner_id=appointment.practitioner_id if appointment else None,
                note=form.cleaned_data["note"],
                now=now(),
                **actor(request),
            )
        except services.BillingError as exc:
            status = refusal(form, exc)
        else:
            return redirect("billing:invoice", invoice.pk)
    else:
        status = 400 if request.method == "POST" else 200
    ctx = {"form": form, "patient": patient, "appointment": appointment}
    return render(request, "billing/invoice_new.html", ctx, status=status)


def _detail_context(request: AuthenticatedHttpRequest, invoice: Invoice, **forms_given: object) -> dict:
    page = invoice_page(invoice)
    version = {"version": invoice.version}
    today = local_date(now())
    ctx: dict = {
        "page": page,
        "invoice": invoice,
        "is_admin": has_role(request.user, CLINIC_ADMIN),
        "issue_form": IssueForm(initial=version),
        "void_form": ReasonForm(initial=version),
        "write_off_form": WriteOffForm(initial={**version, "amount": invoice.balance}),
        "credit_form": CreditNoteForm(initial=version),
        "keep_form": KeepCreditForm(initial={**version, "amount": -invoice.balance}) if invoice.balance < 0 else None,
        # The series' bills against its Good Faith Estimate (issue 23): a warning at $400 over.
        "overruns": estimates_exceeded(series_id=invoice.series_id) if invoice.series_id else [],
    }
    if invoice.is_draft:
        ctx["fee_form"] = FeeLineForm(initial=version, fees=fees_valid_on(today))
        ctx["line_form"] = FreeLineForm(initial=version)
    ctx.update(forms_given)
    # A refused write's message, shown at the top whichever form it came from.
    ctx["errors"] = [e for f in forms_given.values() if hasattr(f, "non_field_errors") for e in f.non_field_errors()]
    return ctx


@desk_required
def invoice_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request.user, pk)
    audit_record(request=request, action=AuditEntry.Action.VIEW, obj=invoice, patient_id=invoice.patient_id)
    return render(request, "billing/invoice_detail.html", _detail_context(request, invoice))


def _again(request: AuthenticatedHttpRequest, invoice: Invoice, status: int, **forms_given: object) -> HttpResponse:
    invoice.refresh_from_db()
    ctx = _detail_context(request, invoice, **forms_given)
    return render(request, "billing/invoice_detail.html", ctx, status=status)


@desk_required
@require_POST
def invoice_add_line(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request.user, pk)
    free = request.POST.get("line") == "free"
    form: FeeLineForm | FreeLineForm
    form = FreeLineForm(request.POST) if free else FeeLineForm(request.POST, fees=fees_valid_on(local_date(now())))
    name = "line_form" if free else "fee_form"
    if not form.is_valid():
        return _again(request, invoice, 400, **{name: form})
    data = form.cleaned_data
    try:
        if isinstance(form, FreeLineForm):
            services.invoice_add_line(
                invoice_id=invoice.pk,
                version=data["version"],
                description=data["description"],
                code_system=data["code_system"],
                code=data["code"],
                unit_price=data["unit_price"],
                quantity=data["quantity"],
                tax_rate_bp=form.tax_rate_bp(),
                tax_inclusive=data["tax_inclusive"],
                now=now(),
                **actor(request),
            )
        else:
            services.invoice_add_fee_line(
                invoice_id=invoice.pk,
                version=data["version"],
                fee_id=data["fee"].pk,
                quantity=data["quantity"],
                appointment_id=invoice.appointment_id,
                series_id=invoice.series_id,
                now=now(),
                **actor(request),
            )
    except services.BillingError as exc:
        return _again(request, invoice, refusal(form, exc), **{name: form})
    return redirect("billing:invoice", invoice.pk)


@desk_required
@require_POST
def invoice_remove_line(request: AuthenticatedHttpRequest, pk: int, line_id: int) -> HttpResponse:
    invoice = invoice_for(request.user, pk)
    form = IssueForm(request.POST)
    if not form.is_valid():
        return _again(request, invoice, 400, issue_form=form)
    try:
        services.invoice_remove_line(
            invoice_id=invoice.pk, version=form.cleaned_data["version"], line_id=line_id, now=now(), **actor(request)
        )
    except services.BillingError as exc:
        return _again(request, invoice, refusal(form, exc), issue_form=form)
    return redirect("billing:invoice", invoice.pk)


@desk_required
@require_POST
def invoice_issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request.user, pk)
    form = IssueForm(request.POST)
    if not form.is_valid():
        return _again(request, invoice, 400, issue_form=form)
    try:
        issued = services.invoice_issue(
            invoice_id=invoice.pk,
            version=form.cleaned_data["version"],
            due_date=form.cleaned_data["due_date"],
            now=now(),
            **actor(request),
        )
    except services.BillingError as exc:
        return _again(request, invoice, refusal(form, exc), issue_form=form)
    messages.success(request, _("%(n)s issued.") % {"n": issued.display_number})
    return redirect("billing:invoice", invoice.pk)


@desk_required
@require_POST
def invoice_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request.user, pk)
    form = IssueForm(request.POST)
    if not form.is_valid():
        return _again(request, invoice, 400, issue_form=form)
    try:
        services.invoice_delete_draft(
            invoice_id=invoice.pk, version=form.cleaned_data["version"], now=now(), **actor(request)
        )
    except services.BillingError as exc:
        return _again(request, invoice, refusal(form, exc), issue_form=form)
    messages.success(request, _("The draft was discarded."))
    return redirect("billing:invoices")


@admin_required
@require_POST
def invoice_void(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _again(request, invoice, 400, void_form=form)
    data = form.cleaned_data
    try:
        services.invoice_void(
            invoice_id=invoice.pk,
            version=data["version"],
            reason=data["reason"],
            attempt_key=data["attempt_key"],
            now=now(),
            **actor(request),
        )
    except services.BillingError as exc:
        return _again(request, invoice, refusal(form, exc), void_form=form)
    messages.success(request, _("The invoice is void."))
    return redirect("billing:invoice", invoice.pk)


@admin_required
@require_POST
def invoice_write_off(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request.user, pk)
    form = WriteOffForm(request.POST)
    if not form.is_valid():
        return _again(request, invoice, 400, write_off_form=form)
    data = form.cleaned_data
    try:
        services.invoice_write_off(
            invoice_id=invoice.pk,
            version=data["version"],
            amount=data["amount"],
            reason=data["reason"],
            attempt_key=data["attempt_key"],
            now=now(),
            **actor(request),
        )
    except services.BillingError as exc:
        return _again(request, invoice, refusal(form, exc), write_off_form=form)
    messages.success(request, _("Written off."))
    return redirect("billing:invoice", invoice.pk)


@admin_required
@require_POST
def invoice_credit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request.user, pk)
    form = CreditNoteForm(request.POST)
    if not form.is_valid():
        return _again(request, invoice, 400, credit_form=form)
    data = form.cleaned_data
    try:
        note = services.credit_note_issue(
            invoice_id=invoice.pk,
            version=data["version"],
            lines=[services.CreditLine(description=data["description"], amount=data["amount"])],
            reason=data["reason"],
            attempt_key=data["attempt_key"],
            now=now(),
            **actor(request),
        )
    except services.BillingError as exc:
        return _again(request, invoice, refusal(form, exc), credit_form=form)
    messages.success(request, _("Credit note %(n)s issued.") % {"n": note.display_number})
    return redirect("billing:invoice", invoice.pk)


@desk_required
@require_POST
def invoice_keep_credit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What the invoice owes back, kept as the patient's credit instead of refunded."""
    invoice = invoice_for(request.user, pk)
    form = KeepCreditForm(request.POST)
    if not form.is_valid():
        return _again(request, invoice, 400, keep_form=form)
    data = form.cleaned_data
    try:
        services.invoice_keep_as_credit(
            invoice_id=invoice.pk,
            version=data["version"],
            amount=data["amount"],
            attempt_key=data["attempt_key"],
            now=now(),
            **actor(request),
        )
    except services.BillingError as exc:
        return _again(request, invoice, refusal(form, exc), keep_form=form)
    messages.success(request, _("Kept as the patient's credit."))
    return redirect("billing:invoice", invoice.pk)
