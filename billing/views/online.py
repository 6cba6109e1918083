"""Paying online: the portal's "Pay now" for an open invoice (by the patient's secret link, like
every portal page: another patient's invoice is a 404), the page the patient returns to from the
card gateway, and the gateway's webhook (public, CSRF-exempt, no-store; its signature is the only
thing that lets an event in)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import stripe
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from billing.gateway import GatewayError, card_gateway
from billing.models import CheckoutAttempt, Invoice, SavedCard
from billing.services import BillingError
from billing.services.cards import card_setup_begin, late_cancel_policy_text, policy_version
from billing.services.online import checkout_begin
from billing.services.online_settle import checkout_refresh, gateway_event_take
from billing.stripe_gateway import checkout_from, plain
from clinic.models import AuditEntry, Location
from clinic.roles import public
from treatments.portal.access import PortalHttpRequest, portal_audit, portal_context, portal_view


def _open_invoices(request: PortalHttpRequest):
    return Invoice.objects.filter(patient=request.portal_patient, status=Invoice.Status.ISSUED, balance__gt=0).order_by(
        "issue_date", "pk"
    )


@portal_view
@require_http_methods(["GET"])
def portal_bills(request: PortalHttpRequest) -> HttpResponse:
    """What the patient owes, each open invoice with its "Pay now"."""
    portal_audit(request, AuditEntry.Action.VIEW, object_type="portal.bills")
    context = portal_context(request, invoices=list(_open_invoices(request)), online=card_gateway() is not None)
    return render(request, "billing/portal/bills.html", context)


@portal_view
@require_http_methods(["GET", "POST"])
def portal_pay(request: PortalHttpRequest, *, now, invoice_id: int) -> HttpResponse:
    """One open invoice: its balance (the server's figure; no amount is read from the form) and a
    button that makes the card gateway's page for exactly that. Another patient's invoice: 404."""
    invoice = _open_invoices(request).filter(pk=invoice_id).first()
    if invoice is None:
        if Invoice.objects.filter(pk=invoice_id, patient=request.portal_patient).exists():
            context = portal_context(request, invoice=None, settled=True)
            return render(request, "billing/portal/pay.html", context)
        raise Http404
    context = portal_context(request, invoice=invoice, key=uuid.uuid4(), online=card_gateway() is not None)
    if request.method == "GET":
        return render(request, "billing/portal/pay.html", context)
    token = request.portal_token

    def begin(key: uuid.UUID) -> CheckoutAttempt:
        return checkout_begin(
            patient_id=request.portal_patient.pk,
            invoice_id=invoice.pk,
            key=key,
            success_url=request.build_absolute_uri(reverse("billing:portal_paid", args=[token, key])),
            cancel_url=request.build_absolute_uri(reverse("billing:portal_pay", args=[token, invoice.pk])),
            now=now,
        )

    return to_hosted_page(request, template="billing/portal/pay.html", context=context, begin=begin)


def to_hosted_page(
    request: PortalHttpRequest, *, template: str, context: dict, begin: Callable[[uuid.UUID], CheckoutAttempt]
) -> HttpResponse:
    """The press on a portal page that starts a hosted page: the form's key (refused with a message
    when it is missing), the service `begin(key)` (its refusal shown on the page, status 400), then
    the link to the gateway's page — a link, not a redirect: the site's form-action policy keeps
    form posts on this site."""
    try:
        key = uuid.UUID(request.POST.get("key", ""))
    except ValueError:
        context["error"] = _("The form was incomplete. Please press the button again.")
        return render(request, template, context, status=400)
    try:
        attempt = begin(key)
    except BillingError as exc:
        context["error"] = exc
        return render(request, template, context, status=400)
    portal_audit(request, AuditEntry.Action.CREATE, obj=attempt)
    return render(request, "billing/portal/continue.html", portal_context(request, attempt=attempt))


@portal_view
@require_http_methods(["GET", "POST"])
def portal_card(request: PortalHttpRequest, *, now) -> HttpResponse:
    """Save a card for the clinic's late-cancel policy: the policy's words first, a tick that they
    were read (the version shown is checked), then the gateway's setup page. Nothing is charged."""
    text = late_cancel_policy_text()
    context = portal_context(
        request,
        policy=text,
        version=policy_version(text),
        key=uuid.uuid4(),
        online=card_gateway() is not None,
        saved=SavedCard.objects.filter(patient=request.portal_patient).first(),
    )
    if request.method == "GET":
        return render(request, "billing/portal/card.html", context)
    location = Location.objects.filter(active=True).order_by("pk").first()
    token = request.portal_token

    def begin(key: uuid.UUID) -> CheckoutAttempt:
        return card_setup_begin(
            patient_id=request.portal_patient.pk,
            location_id=location.pk if location else 0,
            key=key,
            agreed=request.POST.get("agree") == "on",
            version=request.POST.get("version", ""),
            success_url=request.build_absolute_uri(reverse("billing:portal_paid", args=[token, key])),
            cancel_url=request.build_absolute_uri(reverse("billing:portal_card", args=[token])),
            now=now,
        )

    return to_hosted_page(request, template="billing/portal/card.html", context=context, begin=begin)


@portal_view
@require_http_methods(["GET"])
def portal_paid(request: PortalHttpRequest, *, now, key: uuid.UUID) -> HttpResponse:
    """Back from the card gateway. The gateway is asked (never the query string) and a payment it
    confirms is recorded once, whether or not its webhook came first."""
    attempt = CheckoutAttempt.objects.filter(key=key, patient=request.portal_patient).first()
    if attempt is None:
        raise Http404
    attempt = checkout_refresh(attempt_id=attempt.pk, now=now)
    portal_audit(request, AuditEntry.Action.VIEW, obj=attempt)
    saved = SavedCard.objects.filter(attempt=attempt).exists()
    return render(request, "billing/portal/paid.html", portal_context(request, attempt=attempt, saved=saved))


@public
@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's events. `Stripe-Signature` is checked with the webhook secret and 300 seconds'
    tolerance (a bad signature, an old timestamp or no secret configured: 400, nothing done); each
    event id is taken once (billing.services.online_settle.gateway_event_take)."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        return HttpResponse("webhook secret not configured", status=400, content_type="text/plain")
    try:
        event = stripe.Webhook.construct_event(
            request.body, request.headers.get("Stripe-Signature", ""), secret, tolerance=300
        )
    except (ValueError, stripe.SignatureVerificationError):
        return HttpResponse("bad signature", status=400, content_type="text/plain")
    data = plain(event)
    obj = (data.get("data") or {}).get("object") or {}
    hosted = checkout_from(obj) if obj.get("object") == "checkout.session" else None
    try:
        outcome = gateway_event_take(
            event_id=str(data["id"]), kind=str(data["type"]), hosted=hosted, now=timezone.now()
        )
    except GatewayError:
        # Stripe could not be asked about the event's card: not stored, so Stripe sends it again.
        return HttpResponse("retry later", status=503, content_type="text/plain")
    return HttpResponse(outcome, content_type="text/plain")
