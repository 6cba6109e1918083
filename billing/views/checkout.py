"""Check-out at the desk for one visit: what it owes, invoicing it from the fee schedule, and the
way to take the payment and give the receipt."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing import services
from billing.selectors.pages import checkout_page
from clinic.audit import audit_record
from clinic.models import AuditEntry
from clinic.roles import AuthenticatedHttpRequest, desk_required
from treatments.scheduling.access import appointment_for

from ._common import actor, now


@desk_required
def checkout(request: AuthenticatedHttpRequest, appointment_id: int) -> HttpResponse:
    appointment = appointment_for(request.user, appointment_id)
    audit_record(request=request, action=AuditEntry.Action.VIEW, obj=appointment, patient_id=appointment.patient_id)
    return render(request, "billing/checkout.html", {"page": checkout_page(appointment), "error": None})


@desk_required
@require_POST
def checkout_invoice(request: AuthenticatedHttpRequest, appointment_id: int) -> HttpResponse:
    appointment = appointment_for(request.user, appointment_id)
    try:
        invoice = services.checkout_invoice(appointment_id=appointment.pk, now=now(), **actor(request))
    except services.BillingError as exc:
        ctx = {"page": checkout_page(appointment), "error": str(exc)}
        return render(request, "billing/checkout.html", ctx, status=400)
    messages.success(request, _("%(n)s issued for this visit.") % {"n": invoice.display_number})
    return redirect("billing:checkout", appointment.pk)
