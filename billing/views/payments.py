"""Taking a payment, the payment page with its receipt (printed or e-mailed), and refunds (the
clinic admin's)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing import services
from billing.access import payment_for
from billing.forms import PaymentForm, ReceiptEmailForm, RefundForm
from billing.models import Invoice, Payment
from billing.money import format_money
from billing.selectors.pages import open_invoices, payment_page
from clinic.audit import audit_record
from clinic.models import AuditEntry, ClinicSettings, Location
from clinic.roles import CLINIC_ADMIN, AuthenticatedHttpRequest, admin_required, desk_required, has_role
from patients.access import patient_for

from ._common import actor, form_write, now


def _location_id(request: AuthenticatedHttpRequest, invoices: list) -> int | None:
    """Where the money is taken: the desk's choice, else the first open invoice's location."""
    chosen = request.POST.get("location") or request.GET.get("location")
    if chosen and str(chosen).isdigit() and Location.objects.filter(pk=chosen, active=True).exists():
        return int(chosen)
    if invoices:
        return int(invoices[0].location_id)
    first = Location.objects.filter(active=True).values_list("pk", flat=True).first()
    return int(first) if first is not None else None


@desk_required
def payment_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """?patient=<id>, and optionally &invoice=<id> to fill that invoice's balance in."""
    patient = patient_for(request.user, request.POST.get("patient") or request.GET.get("patient") or "")
    invoices = open_invoices(patient.pk)
    # An invoice the page showed that someone else has paid meanwhile stays in the form, so the
    # service can say so ("changed by someone else") instead of the form losing its amount.
    shown = {int(k[8:]) for k in request.POST if k.startswith("version_") and k[8:].isdigit()}
    missing = shown - {i.pk for i in invoices}
    if missing:
        invoices += list(Invoice.objects.filter(pk__in=missing, patient=patient).select_related("location"))
    wanted = request.GET.get("invoice", "")
    initial: dict = {}
    for invoice in invoices:
        if str(invoice.pk) == wanted or (not wanted and len(invoices) == 1):
            initial[f"alloc_{invoice.pk}"] = invoice.balance
            initial["amount"] = invoice.balance
    form = PaymentForm(request.POST or None, invoices=invoices, initial=initial)
    location_id = _location_id(request, invoices)
    if request.method == "POST" and location_id is None:
        form.add_error(None, _("Set up a location first."))

    def take(data: dict) -> HttpResponse:
        assert location_id is not None  # the form holds an error without one
        result = services.payment_take(
            patient_id=patient.pk,
            location_id=location_id,
            method=data["method"],
            amount=data["amount"],
            allocations=[services.AllocationRequest(i, a, v) for i, a, v in form.allocations()],
            attempt_key=data["attempt_key"],
            reference=data["reference"],
            keep_change_as_credit=data["keep_change_as_credit"],
            now=now(),
            **actor(request),
        )
        if result.created:
            messages.success(request, _("%(amount)s received.") % {"amount": format_money(result.payment.amount)})
        else:
            messages.info(request, _("This payment was already recorded (the form was sent twice)."))
        return redirect("billing:payment", result.payment.pk)

    def page(status: int) -> HttpResponse:
        ctx = {
            "form": form,
            "patient": patient,
            "invoices": invoices,
            "credit": services.credit_balance(patient.pk),
            "locations": Location.objects.filter(active=True),
            "location_id": location_id,
        }
        return render(request, "billing/payment_new.html", ctx, status=status)

    return form_write(request, form, write=take, again=page)


def _payment_context(request: AuthenticatedHttpRequest, payment: Payment, **forms_given: object) -> dict:
    ctx = {
        "page": payment_page(payment),
        "payment": payment,
        "is_admin": has_role(request.user, CLINIC_ADMIN),
        "receipt_form": ReceiptEmailForm(),
    }
    ctx.update(forms_given)
    return ctx


@desk_required
def payment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    payment = payment_for(request.user, pk)
    audit_record(request=request, action=AuditEntry.Action.VIEW, obj=payment, patient_id=payment.patient_id)
    return render(request, "billing/payment_detail.html", _payment_context(request, payment))


@desk_required
def receipt_print(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The printable receipt. Reading it again only prints again: nothing is charged or written
    but the audit log's "viewed"."""
    payment = payment_for(request.user, pk)
    audit_record(request=request, action=AuditEntry.Action.VIEW, obj=payment, patient_id=payment.patient_id)
    ctx = {"page": payment_page(payment), "payment": payment, "clinic": ClinicSettings.load()}
    return render(request, "billing/receipt.html", ctx)


@desk_required
@require_POST
def receipt_email(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    payment = payment_for(request.user, pk)
    form = ReceiptEmailForm(request.POST)

    def send(data: dict) -> HttpResponse:
        queued = services.receipt_email(
            payment_id=payment.pk, attempt_key=data["attempt_key"], now=now(), **actor(request)
        )
        if queued is None:
            messages.info(request, _("This receipt was already queued (the button was pressed twice)."))
        elif queued.status == queued.Status.SKIPPED:
            messages.warning(
                request, _("Not sent: the patient has not agreed to e-mail or texts. Print the receipt instead.")
            )
        else:
            messages.success(request, _("The receipt is on its way to the patient."))
        return redirect("billing:payment", payment.pk)

    def page(status: int) -> HttpResponse:
        ctx = _payment_context(request, payment, receipt_form=form)
        return render(request, "billing/payment_detail.html", ctx, status=status)

    return form_write(request, form, write=send, again=page)


def _sources(payment: Payment) -> list[tuple[str, str]]:
    choices = []
    for source in services.refund_sources(payment):
        if source.invoice is None:
            label = _("The patient's credit from this payment (%(n)s)") % {"n": format_money(source.available)}
            choices.append(("credit", label))
        else:
            label = _("%(inv)s, owed back to the patient (%(n)s)") % {
                "inv": source.invoice.display_number,
                "n": format_money(source.available),
            }
            choices.append((str(source.invoice.pk), label))
    return choices


def _refund_initial(request: AuthenticatedHttpRequest, sources: list[tuple[str, str]]) -> dict[str, object]:
    """?invoice=<id>&amount=<minor units>, from an invoice's or a closed package's "Refund $…" link:
    that source chosen and that amount filled in (the form and the service check both again)."""
    initial: dict[str, object] = {}
    chosen = request.GET.get("invoice", "")
    if any(value == chosen for value, _label in sources):
        initial["source"] = chosen
        amount = request.GET.get("amount", "")
        if amount.isdigit():
            initial["amount"] = int(amount)
    return initial


@admin_required
def refund_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    payment = payment_for(request.user, pk)
    sources = _sources(payment)
    form = RefundForm(request.POST or None, sources=sources, initial=_refund_initial(request, sources))

    def refund(data: dict) -> HttpResponse:
        services.refund_issue(
            payment_id=payment.pk,
            amount=data["amount"],
            reason=data["reason"],
            attempt_key=data["attempt_key"],
            invoice_id=form.invoice_id(),
            now=now(),
            **actor(request),
        )
        messages.success(
            request,
            _("%(amount)s refunded by %(method)s.")
            % {"amount": format_money(data["amount"]), "method": payment.get_method_display()},
        )
        return redirect("billing:payment", payment.pk)

    def page(status: int) -> HttpResponse:
        ctx = {"form": form, "payment": payment, "sources": sources}
        return render(request, "billing/refund_new.html", ctx, status=status)

    return form_write(request, form, write=refund, again=page)
