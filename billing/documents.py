"""The patient's papers as PDF (WeasyPrint) or, where WeasyPrint or its Pango libraries are
missing, as the print page (HTML) the browser prints. WeasyPrint is imported only when a PDF is
asked for, so the app runs without it. The PDF is drawn from our own HTML and one stylesheet read
from disk: it fetches nothing (no network, no third-party host)."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from billing.models import Payment
from billing.selectors.pages import payment_page
from clinic.models import ClinicSettings

log = logging.getLogger(__name__)
STYLESHEET = "css/documents.css"


def _refuse_fetch(_url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError("documents fetch nothing")


def render_pdf(html: str) -> bytes | None:
    """The PDF of `html`, or None where WeasyPrint cannot run here."""
    try:
        import weasyprint  # type: ignore[import-untyped]  # lazy: the app runs without it (the print page instead)
    except (ImportError, OSError) as exc:  # OSError: Pango/HarfBuzz missing
        log.warning("PDF documents unavailable (%s): serving the print page", type(exc).__name__)
        return None
    css_path = finders.find(STYLESHEET)
    stylesheets = [weasyprint.CSS(filename=css_path)] if isinstance(css_path, str) else []
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=_refuse_fetch)
    pdf: bytes = document.write_pdf(stylesheets=stylesheets)
    return pdf


def document_response(
    request: HttpRequest, *, template: str, context: dict[str, Any], filename: str, as_pdf: bool
) -> HttpResponse:
    """The document as a PDF download (`as_pdf`) or its print page. A PDF that cannot be made here
    falls back to the print page. Never cached (the caller's views are no-store)."""
    html = render_to_string(template, {**context, "as_pdf": as_pdf}, request=request)
    if as_pdf:
        pdf = render_pdf(html)
        if pdf is not None:
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
            response["Cache-Control"] = "no-store"
            return response
        html = render_to_string(template, {**context, "as_pdf": False}, request=request)
    response = HttpResponse(html)
    response["Cache-Control"] = "no-store"
    return response


def receipt_pdf_response(request: HttpRequest, payment: Payment) -> HttpResponse:
    """A payment's receipt as a PDF, the same paper for the desk and the patient's portal (each view
    checks who may see it and audits the view first)."""
    return document_response(
        request,
        template="billing/documents/receipt.html",
        context={"payment": payment, "page": payment_page(payment), "clinic": ClinicSettings.load()},
        filename=f"receipt-P-{payment.pk}",
        as_pdf=True,
    )
