"""Where the money an invoice owes back can be refunded from: each payment that paid it, with what
of that payment may go back now (`services.refund_sources`, the refund's own rule). The invoice
page and a closed package's page link each one to its refund form, filled in."""

from __future__ import annotations

from dataclasses import dataclass

from billing.models import Invoice, Payment
from billing.services import refund_sources


@dataclass(frozen=True)
class RefundOffer:
    payment: Payment
    invoice: Invoice
    available: int

    @property
    def query(self) -> str:
        """The refund form's address parameters: this invoice chosen, this amount filled in."""
        return f"invoice={self.invoice.pk}&amount={self.available}"


def refund_offers(invoices: list[Invoice]) -> list[RefundOffer]:
    """For each invoice that owes money back (balance below 0), the payments it can be refunded
    from, oldest first. A query for the payments, then a few per payment (refund_sources): an
    invoice has a handful of payments."""
    owing = {invoice.pk: invoice for invoice in invoices if invoice.balance < 0}
    if not owing:
        return []
    offers = []
    payments = Payment.objects.filter(allocations__invoice_id__in=owing).distinct().order_by("taken_at", "pk")
    for payment in payments:
        for source in refund_sources(payment):
            if source.invoice is not None and source.invoice.pk in owing:
                offers.append(
                    RefundOffer(payment=payment, invoice=owing[source.invoice.pk], available=source.available)
                )
    return offers
