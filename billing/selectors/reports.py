"""The money report for a chosen period, by practitioner and location, aggregated in SQL in six
queries whatever the history (asserted in tests/billing/test_reports.py):

- invoiced: the totals of invoices issued in the period (a voided one stays invoiced; its credit
  note is in `credited`), and credited: the credit notes issued in the period;
- collected: payments allocated to invoices, by the payment's business date, less the refunds
  taken back from invoices, by the refund's business date;
- outstanding: today's balance of every issued invoice dated on or before the period's end, aged
  by its issue date at the period's end (or today, if earlier): 0-30, 31-60, 61-90 and over 90 days;
- liability: what the packages sold by the period's end and still open hold for sessions not yet
  given: paid (on the package and its deposit invoice) less the sessions given at the package's
  price per session, never below 0 (billing.package_rules.liability, the same sum in SQL).

A practitioner sees their own rows only (the view passes their id); the desk's rows have no
practitioner when an invoice has none (a sale at the desk)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BigIntegerField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, Greatest

from billing.models import Allocation, CreditNote, Invoice, Package, Refund
from clinic.localtime import day_bounds
from clinic.models import Location

BUCKETS = ("0-30", "31-60", "61-90", "90+")
Key = tuple[int | None, int | None]


@dataclass
class ReportRow:
    practitioner: str
    location: str
    invoiced: int = 0
    credited: int = 0
    collected: int = 0
    aged: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    liability: int = 0

    @property
    def outstanding(self) -> int:
        return sum(self.aged)

    def add(self, other: ReportRow) -> None:
        self.invoiced += other.invoiced
        self.credited += other.credited
        self.collected += other.collected
        self.aged = [a + b for a, b in zip(self.aged, other.aged, strict=True)]
        self.liability += other.liability


@dataclass
class BillingReport:
    first: dt.date
    last: dt.date
    as_of: dt.date  # the day the outstanding balances are aged at
    rows: list[ReportRow]
    totals: ReportRow


def _big(expression: Any) -> ExpressionWrapper:
    return ExpressionWrapper(expression, output_field=BigIntegerField())


def _sum(field_name: str, condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum(field_name, filter=condition), Value(0), output_field=BigIntegerField())


def _mine(qs: QuerySet[Any], path: str, practitioner_id: int | None) -> QuerySet[Any]:
    return qs if practitioner_id is None else qs.filter(**{path: practitioner_id})


def _rows(
    qs: QuerySet[Any],
    practitioner: str,
    location: str,
    **sums: Coalesce,
) -> list[dict[str, Any]]:
    names = {
        "p": F(practitioner + "_id"),
        "pn": F(practitioner + "__display_name"),
        "l": F(location + "_id"),
        "ln": F(location + "__name"),
    }
    return list(qs.order_by().values(**names).annotate(**sums))


def billing_report(
    *, first: dt.date, last: dt.date, today: dt.date, practitioner_id: int | None = None
) -> BillingReport:
    as_of = min(last, today)
    edges = [as_of - dt.timedelta(days=d) for d in (30, 60, 90)]
    # Each query is bounded by an index: invoices and credit notes by their date (status, issue
    # date), the unpaid ones by their status, payments and refunds by (location, business date).
    issued = (Invoice.Status.ISSUED, Invoice.Status.PAID, Invoice.Status.VOID)
    invoices = _mine(
        Invoice.objects.filter(status__in=issued, issue_date__gte=first, issue_date__lte=last),
        "practitioner_id",
        practitioner_id,
    )
    unpaid = _mine(
        Invoice.objects.filter(status=Invoice.Status.ISSUED, issue_date__lte=last, balance__gt=0),
        "practitioner_id",
        practitioner_id,
    )
    aged = {
        "a0": _sum("balance", Q(issue_date__gte=edges[0])),
        "a1": _sum("balance", Q(issue_date__lt=edges[0], issue_date__gte=edges[1])),
        "a2": _sum("balance", Q(issue_date__lt=edges[1], issue_date__gte=edges[2])),
        "a3": _sum("balance", Q(issue_date__lt=edges[2])),
    }
    locations = Location.objects.values("pk")
    found: dict[Key, ReportRow] = {}

    def row(r: dict[str, Any]) -> ReportRow:
        key = (r["p"], r["l"])
        if key not in found:
            found[key] = ReportRow(practitioner=r["pn"] or "—", location=r["ln"] or "—")
        return found[key]

    for r in _rows(invoices, "practitioner", "location", invoiced=_sum("total")):
        row(r).invoiced += r["invoiced"]
    for r in _rows(unpaid, "practitioner", "location", **aged):
        target = row(r)
        target.aged = [a + r[k] for a, k in zip(target.aged, ("a0", "a1", "a2", "a3"), strict=True)]
    credits = _mine(
        CreditNote.objects.filter(issue_date__gte=first, issue_date__lte=last),
        "invoice__practitioner_id",
        practitioner_id,
    )
    for r in _rows(credits, "invoice__practitioner", "invoice__location", credited=_sum("total")):
        row(r).credited += r["credited"]
    allocations = _mine(
        Allocation.objects.filter(
            payment__location_id__in=locations,
            payment__business_date__gte=first,
            payment__business_date__lte=last,
        ),
        "invoice__practitioner_id",
        practitioner_id,
    )
    for r in _rows(allocations, "invoice__practitioner", "invoice__location", s=_sum("amount")):
        row(r).collected += r["s"]
    refunds = _mine(
        Refund.objects.filter(
            location_id__in=locations, invoice__isnull=False, business_date__gte=first, business_date__lte=last
        ),
        "invoice__practitioner_id",
        practitioner_id,
    )
    for r in _rows(refunds, "invoice__practitioner", "invoice__location", s=_sum("amount")):
        row(r).collected -= r["s"]
    packages = _mine(open_packages(sold_by=day_bounds(last)[1]), "series__practitioner_id", practitioner_id)
    for r in _rows(packages, "series__practitioner", "series__location", s=_sum("held")):
        row(r).liability += r["s"]
    rows = sorted(found.values(), key=lambda r: (r.practitioner, r.location))
    totals = ReportRow(practitioner="", location="")
    for each in rows:
        totals.add(each)
    return BillingReport(first=first, last=last, as_of=as_of, rows=rows, totals=totals)


def _paid_in(invoice_field: str) -> CombinedExpression:
    """Allocated less refunded on the package's invoice named by `invoice_field` (a subquery)."""
    allocated = (
        Allocation.objects.filter(invoice_id=OuterRef(invoice_field))
        .order_by()
        .values("invoice_id")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    refunded = (
        Refund.objects.filter(invoice_id=OuterRef(invoice_field))
        .order_by()
        .values("invoice_id")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    zero = Value(0)
    return Coalesce(
        Subquery(allocated, output_field=BigIntegerField()), zero, output_field=BigIntegerField()
    ) - Coalesce(Subquery(refunded, output_field=BigIntegerField()), zero, output_field=BigIntegerField())


def open_packages(*, sold_by: dt.datetime) -> QuerySet[Package]:
    """Packages sold before `sold_by` and still open, each annotated with `paid` and `held` — paid
    less redeemed × price ÷ sessions (rounded half up), never below 0; `redeemed` is the package's
    own count of its live redemptions (kept by the redemption services)."""
    return (
        Package.objects.filter(sold_at__lt=sold_by, status__in=(Package.Status.ACTIVE, Package.Status.USED))
        .annotate(paid=_big(_paid_in("invoice_id") + _paid_in("deposit_invoice_id")))
        .annotate(
            held=Greatest(
                Value(0),
                _big(F("paid") - (2 * F("redeemed") * F("price") + F("sessions")) / (2 * F("sessions"))),
                output_field=BigIntegerField(),
            )
        )
    )
