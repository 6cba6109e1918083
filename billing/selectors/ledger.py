"""The balance rule, once: an invoice's balance is its total, less what credit notes and write-offs
took off, less what payments were allocated to it, plus what was refunded back out of those
allocations. Computed in SQL (one query for any number of invoices)."""

from __future__ import annotations

from django.db.models import BigIntegerField, F, Model, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from billing.models import Allocation, CreditNote, Invoice, InvoiceLine, Refund, WriteOff


def _sum_of(model: type[Model], field: str) -> Coalesce:
    rows = (
        model._default_manager.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(s=Sum(field))
        .values("s")
    )
    return Coalesce(Subquery(rows, output_field=BigIntegerField()), Value(0), output_field=BigIntegerField())


def with_ledger_sums(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Annotates lines_total, lines_tax, credited, written_off, allocated, refunded and
    ledger_balance (the formula above)."""
    return queryset.annotate(
        lines_total=_sum_of(InvoiceLine, "line_total"),
        lines_tax=_sum_of(InvoiceLine, "line_tax"),
        credited=_sum_of(CreditNote, "total"),
        written_off=_sum_of(WriteOff, "amount"),
        allocated=_sum_of(Allocation, "amount"),
        refunded=_sum_of(Refund, "amount"),
    ).annotate(
        ledger_balance=F("lines_total") - F("credited") - F("written_off") - F("allocated") + F("refunded"),
    )


LEDGER_FIELDS = ("lines_total", "lines_tax", "credited", "written_off", "allocated", "refunded", "ledger_balance")


def ledger_sums(invoice_id: int) -> dict[str, int]:
    """One invoice's sums (one query), as a plain dict of integers."""
    row = with_ledger_sums(Invoice.objects.filter(pk=invoice_id)).values(*LEDGER_FIELDS).get()
    return {name: int(row[name]) for name in LEDGER_FIELDS}
