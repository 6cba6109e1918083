"""The patient's money, by their secret portal link (treatments.portal.access.portal_view: the link
first, then every id through the link's patient — another patient's document is a 404; never
cached; audited): the money page ("3 of 5 sessions used", the balance, pay now, the papers) and
each paper as a PDF or its print page."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from billing.documents import document_response, receipt_pdf_response
from billing.gateway import card_gateway
from billing.models import GoodFaithEstimate, Payment, SavedCard
from billing.selectors.documents import money_page, statement, superbill
from billing.selectors.packages import package_offers
from billing.selectors.superbills import visits_superbill
from clinic.localtime import local_date
from clinic.models import AuditEntry, ClinicSettings
from treatments.portal.access import PortalHttpRequest, portal_audit, portal_context, portal_view, series_or_404


def pay_url(token: str, invoice_id: int) -> str:
    """The card checkout for an invoice (issue 23's Stripe side, `billing:portal_pay`), or "" while
    that view is not installed: the page then shows no "Pay now" button."""
    try:
        return reverse("billing:portal_pay", kwargs={"token": token, "invoice_id": invoice_id})
    except NoReverseMatch:
        return ""


@portal_view
def money(request: PortalHttpRequest, *, now: dt.datetime) -> HttpResponse:
    page = money_page(patient=request.portal_patient, now=now)
    payable = [(invoice, pay_url(request.portal_token, invoice.pk)) for invoice in page.open_invoices]
    # "Buy the package" by card (issue 23): a series with a package price and no active package.
    online = card_gateway() is not None
    offers = package_offers([row.series for row in page.series], today=local_date(now)) if online else {}
    series_rows = [(row, offers.get(row.series.pk)) for row in page.series]
    cards = list(SavedCard.objects.filter(patient=request.portal_patient))
    portal_audit(request, AuditEntry.Action.VIEW, object_type="billing.money")
    return render(
        request,
        "billing/portal/money.html",
        portal_context(
            request, page=page, payable=payable, series_rows=series_rows, cards=cards, clinic=ClinicSettings.load()
        ),
    )


@portal_view
def portal_superbill(request: PortalHttpRequest, *, series_id: int, fmt: str = "") -> HttpResponse:
    series = series_or_404(request, series_id)
    portal_audit(request, AuditEntry.Action.VIEW, obj=series)
    return document_response(
        request,
        template="billing/documents/superbill.html",
        context={"bill": superbill(series=series), "portal": True, "token": request.portal_token},
        filename=f"superbill-{series.pk}",
        as_pdf=fmt == "pdf",
    )


@portal_view
def portal_visits_superbill(request: PortalHttpRequest, *, fmt: str = "") -> HttpResponse:
    """The superbill of the patient's attended visits outside any series (a consultation booked at
    /book/): the link's own patient only, no id in the URL."""
    patient = request.portal_patient
    portal_audit(request, AuditEntry.Action.VIEW, object_type="billing.superbill")
    return document_response(
        request,
        template="billing/documents/superbill.html",
        context={"bill": visits_superbill(patient=patient), "portal": True, "token": request.portal_token},
        filename="superbill-visits",
        as_pdf=fmt == "pdf",
    )


@portal_view
def portal_statement(request: PortalHttpRequest, *, now: dt.datetime, fmt: str = "") -> HttpResponse:
    portal_audit(request, AuditEntry.Action.VIEW, object_type="billing.statement")
    return document_response(
        request,
        template="billing/documents/statement.html",
        context={"statement": statement(patient=request.portal_patient, now=now), "portal": True},
        filename="statement",
        as_pdf=fmt == "pdf",
    )


@portal_view
def portal_receipt(request: PortalHttpRequest, *, payment_id: int) -> HttpResponse:
    payment = (
        Payment.objects.select_related("patient", "location")
        .filter(pk=payment_id, patient=request.portal_patient)
        .first()
    )
    if payment is None:
        raise Http404
    portal_audit(request, AuditEntry.Action.VIEW, obj=payment)
    return receipt_pdf_response(request, payment)


@portal_view
def portal_estimate(request: PortalHttpRequest, *, estimate_id: int, fmt: str = "") -> HttpResponse:
    gfe = GoodFaithEstimate.objects.filter(pk=estimate_id, patient=request.portal_patient).first()
    if gfe is None:
        raise Http404
    portal_audit(request, AuditEntry.Action.VIEW, obj=gfe)
    return document_response(
        request,
        template="billing/documents/estimate.html",
        context={"gfe": gfe, "snap": gfe.snapshot},
        filename=f"good-faith-estimate-{gfe.pk}",
        as_pdf=fmt == "pdf",
    )
