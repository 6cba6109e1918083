"""Invoice pages: the list, a new draft, the invoice with its lines and history, and the writes on
it (lines, issue, discard; void, write-off and credit notes are the clinic admin's)."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
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
from billing.selectors.refunds import refund_offers
from clinic.audit import audit_record
from clinic.localtime import local_date
from clinic.models import AuditEntry
from clinic.roles import CLINIC_ADMIN, AuthenticatedHttpRequest, admin_required, desk_required, has_role
from patients.access import patient_for
from treatments.scheduling.access import appointment_for

from ._common import actor, form_write, now


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

    def create(data: dict) -> HttpResponse:
        invoice = services.invoice_create_draft(
            patient_id=patient.pk,
            location_id=data["location"].pk,
            kind=data["kind"],
            appointment_id=appointment.pk if appointment else None,
            series_id=appointment.series_id if appointment else None,
            practitioner_id=appointment.practitioner_id if appointment else None,
            note=data["note"],
            now=now(),
            **actor(request),
        )
        return redirect("billing:invoice", invoice.pk)

    def page(status: int) -> HttpResponse:
        ctx = {"form": form, "patient": patient, "appointment": appointment}
        return render(request, "billing/invoice_new.html", ctx, status=status)

    return form_write(request, form, write=create, again=page)


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
        "refund_offers": refund_offers([invoice]),
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


def _write_on(
    request: AuthenticatedHttpRequest,
    invoice: Invoice,
    form: forms.Form,
    name: str,
    write: Callable[[dict], str],
    *,
    then: str = "",
) -> HttpResponse:
    """A write from one of the invoice page's forms: refused, the page again with that form (`name`
    in the page's context) saying why; done, `write`'s message (if any) and back to the invoice, or
    to `then`."""

    def done(data: dict) -> HttpResponse:
        message = write(data)
        if message:
            messages.success(request, message)
        return redirect(then) if then else redirect("billing:invoice", invoice.pk)

    return form_write(request, form, write=done, again=lambda status: _again(request, invoice, status, **{name: form}))


@desk_required
@require_POST
def invoice_add_line(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request.user, pk)
    if request.POST.get("line") == "free":
        free = FreeLineForm(request.POST)

        def add_free(data: dict) -> str:
            services.invoice_add_line(
                invoice_id=invoice.pk,
                version=data["version"],
                description=data["description"],
                code_system=data["code_system"],
                code=data["code"],
                unit_price=data["unit_price"],
                quantity=data["quantity"],
                tax_rate_bp=free.tax_rate_bp(),
                tax_inclusive=data["tax_inclusive"],
                now=now(),
                **actor(request),
            )
            return ""

        return _write_on(request, invoice, free, "line_form", add_free)

    def add_fee(data: dict) -> str:
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
        return ""

    fee = FeeLineForm(request.POST, fees=fees_valid_on(local_date(now())))
    return _write_on(request, invoice, fee, "fee_form", add_fee)


@desk_required
@require_POST
def invoice_remove_line(request: AuthenticatedHttpRequest, pk: int, line_id: int) -> HttpResponse:
    invoice = invoice_for(request.user, pk)

    def remove(data: dict) -> str:
        services.invoice_remove_line(
            invoice_id=invoice.pk, version=data["version"], line_id=line_id, now=now(), **actor(request)
        )
        return ""

    return _write_on(request, invoice, IssueForm(request.POST), "issue_form", remove)


@desk_required
@require_POST
def invoice_issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request.user, pk)

    def issue(data: dict) -> str:
        issued = services.invoice_issue(
            invoice_id=invoice.pk, version=data["version"], due_date=data["due_date"], now=now(), **actor(request)
        )
        return _("%(n)s issued.") % {"n": issued.display_number}

    return _write_on(request, invoice, IssueForm(request.POST), "issue_form", issue)


@desk_required
@require_POST
def invoice_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request.user, pk)

    def discard(data: dict) -> str:
        services.invoice_delete_draft(invoice_id=invoice.pk, version=data["version"], now=now(), **actor(request))
        return _("The draft was discarded.")

    return _write_on(request, invoice, IssueForm(request.POST), "issue_form", discard, then="billing:invoices")


@admin_required
@require_POST
def invoice_void(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request.user, pk)

    def void(data: dict) -> str:
        services.invoice_void(
            invoice_id=invoice.pk,
            version=data["version"],
            reason=data["reason"],
            attempt_key=data["attempt_key"],
            now=now(),
            **actor(request),
        )
        return _("The invoice is void.")

    return _write_on(request, invoice, ReasonForm(request.POST), "void_form", void)


@admin_required
@require_POST
def invoice_write_off(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request.user, pk)

    def write_off(data: dict) -> str:
        services.invoice_write_off(
            invoice_id=invoice.pk,
            version=data["version"],
            amount=data["amount"],
            reason=data["reason"],
            attempt_key=data["attempt_key"],
            now=now(),
            **actor(request),
        )
        return _("Written off.")

    return _write_on(request, invoice, WriteOffForm(request.POST), "write_off_form", write_off)


@admin_required
@require_POST
def invoice_credit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request.user, pk)

    def credit(data: dict) -> str:
        note = services.credit_note_issue(
            invoice_id=invoice.pk,
            version=data["version"],
            lines=[services.CreditLine(description=data["description"], amount=data["amount"])],
            reason=data["reason"],
            attempt_key=data["attempt_key"],
            now=now(),
            **actor(request),
        )
        return _("Credit note %(n)s issued.") % {"n": note.display_number}

    return _write_on(request, invoice, CreditNoteForm(request.POST), "credit_form", credit)


@desk_required
@require_POST
def invoice_keep_credit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What the invoice owes back, kept as the patient's credit instead of refunded."""
    invoice = invoice_for(request.user, pk)

    def keep(data: dict) -> str:
        services.invoice_keep_as_credit(
            invoice_id=invoice.pk,
            version=data["version"],
            amount=data["amount"],
            attempt_key=data["attempt_key"],
            now=now(),
            **actor(request),
        )
        return _("Kept as the patient's credit.")

    return _write_on(request, invoice, KeepCreditForm(request.POST), "keep_form", keep)
