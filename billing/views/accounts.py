"""The patient's account at the desk: the billing details the superbill prints (address, insurer,
member id, self-pay) and "Send a balance reminder". Desk roles (billing.access's rule: every
staff member works with every patient); the patient through patients.access (404 otherwise)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from billing.forms_documents import BillingDetailsForm, ReminderForm
from billing.models import BillingEvent, PatientBillingDetails
from billing.money import format_money
from billing.selectors.pages import open_invoices
from billing.services._common import BillingError
from billing.services.accounts import DETAIL_FIELDS, amount_owed, balance_reminder, billing_details_save
from clinic.audit import audit_record
from clinic.models import AuditEntry
from clinic.roles import AuthenticatedHttpRequest, desk_required
from patients.access import patient_for
from patients.models import Channel, Patient

from ._common import actor, now, refusal


def channel_words(channel: str) -> str:
    """How the desk reads a channel in a sentence: "queued for e-mail", "… for text message"."""
    words: dict[str, str] = {Channel.EMAIL.value: _("e-mail"), Channel.SMS.value: _("text message")}
    return words.get(channel, channel)


HISTORY = (BillingEvent.Action.DETAILS_CHANGED, BillingEvent.Action.BALANCE_REMINDER)


def _history_text(event: BillingEvent) -> str:
    what = str(event.get_action_display())
    if event.action == BillingEvent.Action.BALANCE_REMINDER and event.amount is not None:
        channel = channel_words(event.detail)
        return f"{what}: {format_money(event.amount)}, {channel}"
    return f"{what}: {event.detail}" if event.detail else what


def _page(
    request: AuthenticatedHttpRequest,
    patient: Patient,
    *,
    form: BillingDetailsForm | None = None,
    reminder_form: ReminderForm | None = None,
    status: int = 200,
) -> HttpResponse:
    details = PatientBillingDetails.objects.filter(patient=patient).first()
    if form is None:
        initial: dict[str, Any] = {"self_pay": True}
        if details is not None:
            initial = {name: getattr(details, name) for name in DETAIL_FIELDS}
        form = BillingDetailsForm(initial=initial)
    events = BillingEvent.objects.filter(patient=patient, action__in=HISTORY).select_related("by")
    history = [{"at": e.at, "by": e.by, "text": _history_text(e)} for e in events.order_by("-at", "-id")[:20]]
    context = {
        "patient": patient,
        "form": form,
        "reminder_form": reminder_form or ReminderForm(),
        "owed": amount_owed(patient.pk),
        "open_invoices": open_invoices(patient.pk),
        "history": history,
    }
    return render(request, "billing/billing_details.html", context, status=status)


@desk_required
@require_http_methods(["GET", "POST"])
def billing_details(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for(request.user, patient_id)
    if request.method != "POST":
        audit_record(request=request, action=AuditEntry.Action.VIEW, obj=patient, patient_id=patient.pk)
        return _page(request, patient)
    form = BillingDetailsForm(request.POST)
    if not form.is_valid():
        return _page(request, patient, form=form, status=400)
    data = form.cleaned_data
    try:
        billing_details_save(
            patient_id=patient.pk,
            address=data["address"],
            payer=data["payer"],
            member_id=data["member_id"],
            self_pay=data["self_pay"],
            now=now(),
            **actor(request),
        )
    except BillingError as exc:
        return _page(request, patient, form=form, status=refusal(form, exc))
    messages.success(request, _("The billing details are saved: the superbill shows them from now on."))
    return redirect("billing:billing_details", patient_id=patient.pk)


@desk_required
@require_POST
def reminder_send(request: AuthenticatedHttpRequest, patient_id: int) -> HttpResponse:
    """ "Send a balance reminder": the amount owed and the portal link, through the outbox."""
    patient = patient_for(request.user, patient_id)
    form = ReminderForm(request.POST)
    if not form.is_valid():
        form.add_error(None, _("The page was out of date: press the button again."))
        return _page(request, patient, reminder_form=form, status=400)
    try:
        reminder = balance_reminder(
            patient_id=patient.pk, attempt_key=form.cleaned_data["attempt_key"], now=now(), **actor(request)
        )
    except BillingError as exc:
        return _page(request, patient, reminder_form=form, status=refusal(form, exc))
    if reminder.message is None:
        messages.info(request, _("This reminder was already queued (the button was pressed twice)."))
    else:
        messages.success(
            request,
            _("A reminder of %(amount)s owed was queued for %(channel)s.")
            % {
                "amount": format_money(reminder.amount),
                "channel": channel_words(reminder.channel),
            },
        )
    return redirect("billing:billing_details", patient_id=patient.pk)
