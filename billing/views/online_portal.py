"""The portal's card pages beyond "Pay now" (issue 23): buying the series' package by card, and
removing a saved card. By the patient's secret link (portal_view): another patient's series or
card is a 404; the amount is always the server's (no figure is read from a form)."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from billing.gateway import card_gateway
from billing.models import CheckoutAttempt, SavedCard
from billing.selectors.packages import package_offer
from billing.services import BillingError
from billing.services.cards import card_remove
from billing.services.online import package_checkout_begin
from billing.views.online import to_hosted_page
from clinic.localtime import local_date
from clinic.models import AuditEntry
from treatments.portal.access import PortalHttpRequest, portal_audit, portal_context, portal_view, series_or_404


@portal_view
@require_http_methods(["GET", "POST"])
def portal_package(request: PortalHttpRequest, *, now, series_id: int) -> HttpResponse:
    """Buy the series' package by card: what it holds, its price less a deposit already invoiced
    (the desk's sale, the same figure), and a button that makes the card gateway's page for it."""
    series = series_or_404(request, series_id)
    offer = package_offer(series, today=local_date(now))
    context = portal_context(request, series=series, offer=offer, key=uuid.uuid4(), online=card_gateway() is not None)
    if request.method == "GET":
        portal_audit(request, AuditEntry.Action.VIEW, obj=series)
        return render(request, "billing/portal/package.html", context)
    token = request.portal_token

    def begin(key: uuid.UUID) -> CheckoutAttempt:
        return package_checkout_begin(
            patient_id=request.portal_patient.pk,
            series_id=series.pk,
            key=key,
            success_url=request.build_absolute_uri(reverse("billing:portal_paid", args=[token, key])),
            cancel_url=request.build_absolute_uri(reverse("billing:portal_package", args=[token, series.pk])),
            now=now,
        )

    return to_hosted_page(request, template="billing/portal/package.html", context=context, begin=begin)


@portal_view
@require_http_methods(["GET", "POST"])
def portal_card_remove(request: PortalHttpRequest, *, now, card_id: int) -> HttpResponse:
    """Remove a saved card: the first visit asks "Remove this card?" (a plain form, no script),
    the press detaches it at the card service and the clinic can no longer charge it."""
    card = SavedCard.every.filter(pk=card_id, patient=request.portal_patient).first()
    if card is None:
        raise Http404
    context = portal_context(request, card=card)
    if request.method == "GET":
        portal_audit(request, AuditEntry.Action.VIEW, obj=card)
        return render(request, "billing/portal/card_remove.html", context)
    try:
        card = card_remove(patient_id=request.portal_patient.pk, card_id=card.pk, now=now)
    except BillingError as exc:
        context["error"] = exc
        return render(request, "billing/portal/card_remove.html", context, status=400)
    portal_audit(request, AuditEntry.Action.CHANGE, obj=card)
    return render(request, "billing/portal/card_remove.html", portal_context(request, card=card, removed=True))
