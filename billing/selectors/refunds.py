"""What of a payment may be refunded now, and from where (`refund_sources`: the refund's own rule,
which the refund service checks again under its locks), and where the money an invoice owes back
can be refunded from: each payment that paid it (`refund_offers`). The invoice page and a closed
package's page link each offer to its refund form, filled in."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum

from billing.models import Invoice, Payment, PaymentMethod
from billing.selectors.ledger import credit_balance


@dataclass(frozen=True)
class RefundSource:
    """Where a refund of a payment may come from: an invoice it paid that now owes money back
    (credited or voided), or the part of the payment kept as the patient's credit (invoice None)."""

    invoice: Invoice | None
    available: int


def refund_sources(payment: Payment) -> list[RefundSource]:
    """What of `payment` may be refunded now, by source (a few queries).

    `left` is what no cash refund has taken yet (keeping money as credit is not a refund of it).
    The credit part is what the payment holds outside invoices: its overpayment, plus what was
    released from its invoices into credit or refunded from them, less what was refunded from
    credit; it is bounded by the patient's credit and by `left`."""
    rows = payment.refunds.order_by().values("invoice_id", "method").annotate(s=Sum("amount"))
    released: dict[int, int] = {}
    cash_refunded = from_credit = 0
    for row in rows:
        if row["method"] != PaymentMethod.PATIENT_CREDIT:
            cash_refunded += row["s"]
        if row["invoice_id"] is None:
            from_credit += row["s"]
        else:
            released[row["invoice_id"]] = released.get(row["invoice_id"], 0) + row["s"]
    allocated_by_invoice: dict[int, int] = dict(
        payment.allocations.order_by().values("invoice_id").annotate(s=Sum("amount")).values_list("invoice_id", "s")
    )
    left = payment.amount - cash_refunded
    sources: list[RefundSource] = []
    if payment.method != PaymentMethod.PATIENT_CREDIT:
        unallocated = payment.amount - sum(allocated_by_invoice.values()) + sum(released.values()) - from_credit
        credit = min(unallocated, credit_balance(payment.patient_id), left)
        if credit > 0:
            sources.append(RefundSource(invoice=None, available=credit))
        invoices = Invoice.objects.filter(pk__in=allocated_by_invoice, balance__lt=0).order_by("pk")
        for invoice in invoices:
            net = allocated_by_invoice[invoice.pk] - released.get(invoice.pk, 0)
            available = min(net, -invoice.balance, left)
            if available > 0:
                sources.append(RefundSource(invoice=invoice, available=available))
    return sources


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
