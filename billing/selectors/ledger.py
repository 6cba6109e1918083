"""The balance rule, once: an invoice's balance is its total, less what credit notes and write-offs
took off, less what payments were allocated to it, plus what was refunded back out of those
allocations. Computed in SQL (one query for any number of invoices)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BigIntegerField, F, Model, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from billing.models import (
    Allocation,
    CreditNote,
    DayClose,
    Invoice,
    InvoiceLine,
    PatientCredit,
    Payment,
    Refund,
    WriteOff,
)
from billing.models.payments import COUNTED_METHODS
from clinic.localtime import local_date


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


def business_date_for(*, location_id: int, now: dt.datetime) -> dt.date:
    """The open business date a posting made at `now` belongs to (one query)."""
    day = local_date(now)
    closed = set(
        DayClose.objects.filter(location_id=location_id, business_date__gte=day).values_list("business_date", flat=True)
    )
    while day in closed:
        day += dt.timedelta(days=1)
    return day


@dataclass(frozen=True)
class MethodTotal:
    method: str
    label: str
    payments: int
    refunds: int

    @property
    def expected(self) -> int:
        return self.payments - self.refunds


def day_totals(*, location_id: int, business_date: dt.date) -> list[MethodTotal]:
    """Payments and refunds by method for one location's business date (two aggregate queries);
    every counted method appears, with zeros."""
    paid = dict(
        Payment.objects.filter(location_id=location_id, business_date=business_date)
        .values("method")
        .annotate(total=Sum("amount"))
        .values_list("method", "total")
    )
    refunded = dict(
        Refund.objects.filter(location_id=location_id, business_date=business_date)
        .values("method")
        .annotate(total=Sum("amount"))
        .values_list("method", "total")
    )
    return [
        MethodTotal(method=m.value, label=str(m.label), payments=paid.get(m, 0) or 0, refunds=refunded.get(m, 0) or 0)
        for m in COUNTED_METHODS
    ]


def credit_balance(patient_id: int) -> int:
    """The patient's credit: the sum of their credit ledger."""
    return int(PatientCredit.objects.filter(patient_id=patient_id).aggregate(s=Sum("amount"))["s"] or 0)
