"""What billing's pages read, each in a fixed, small number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from billing.models import (
    Allocation,
    BillingEvent,
    CreditNote,
    DayClose,
    Invoice,
    InvoiceLine,
    Payment,
    Refund,
    WriteOff,
)
from billing.selectors.ledger import MethodTotal, business_date_for, credit_balance, day_totals
from clinic.localtime import local_date
from treatments.models import Appointment

LIST_LIMIT = 200


def invoice_list(*, status: str = "", patient_id: int | None = None, limit: int = LIST_LIMIT) -> list[Invoice]:
    """The newest invoices (one query), optionally of one status or one patient."""
    rows: QuerySet[Invoice] = Invoice.objects.select_related("patient", "location")
    if status:
        rows = rows.filter(status=status)
    if patient_id is not None:
        rows = rows.filter(patient_id=patient_id)
    return list(rows.order_by("-created_at", "-id")[:limit])


@dataclass
class InvoicePage:
    invoice: Invoice
    lines: list[InvoiceLine]
    credit_notes: list[CreditNote]
    allocations: list[Allocation]
    refunds: list[Refund]
    write_offs: list[WriteOff]
    events: list[BillingEvent]


def invoice_page(invoice: Invoice) -> InvoicePage:
    """Everything the invoice page shows (six queries, however long its history)."""
    return InvoicePage(
        invoice=invoice,
        lines=list(invoice.lines.select_related("appointment")),
        credit_notes=list(invoice.credit_notes.prefetch_related("lines").select_related("issued_by")),
        allocations=list(invoice.allocations.select_related("payment")),
        refunds=list(invoice.refunds.select_related("refunded_by")),
        write_offs=list(invoice.write_offs.select_related("by")),
        events=list(invoice.events.select_related("by")),
    )


def open_invoices(patient_id: int) -> list[Invoice]:
    """The patient's issued invoices with a balance due, oldest first (one query)."""
    return list(
        Invoice.objects.filter(patient_id=patient_id, status=Invoice.Status.ISSUED, balance__gt=0)
        .select_related("location")
        .order_by("issue_date", "number")
    )


@dataclass
class CheckoutPage:
    appointment: Appointment
    visit_invoices: list[Invoice]
    open_invoices: list[Invoice]
    credit: int
    payments: list[Payment] = field(default_factory=list)

    @property
    def owed(self) -> int:
        return sum(i.balance for i in self.open_invoices if i.balance > 0)

    @property
    def visit_owed(self) -> int:
        return sum(i.balance for i in self.visit_invoices if i.status == Invoice.Status.ISSUED and i.balance > 0)

    @property
    def has_visit_invoice(self) -> bool:
        return any(i.kind == Invoice.Kind.REGULAR for i in self.visit_invoices)


def checkout_page(appointment: Appointment) -> CheckoutPage:
    """The visit's invoices (its own and any with a line for it), everything the patient owes, their
    credit, and the payments made to the visit's invoices or taken from the patient on the visit's
    day — a package's session pays nothing of its own, and the payment taken at its check-out
    goes to the package's invoice (five queries)."""
    visit = list(
        Invoice.objects.filter(Q(appointment=appointment) | Q(lines__appointment=appointment))
        .exclude(status=Invoice.Status.VOID)
        .distinct()
        .select_related("location")
        .order_by("created_at", "id")
    )
    payments = list(
        Payment.objects.filter(
            Q(allocations__invoice__in=[i.pk for i in visit])
            | Q(patient_id=appointment.patient_id, business_date=local_date(appointment.start))
        )
        .distinct()
        .prefetch_related(Prefetch("allocations", queryset=Allocation.objects.select_related("invoice")))
        .order_by("taken_at")
    )
    return CheckoutPage(
        appointment=appointment,
        visit_invoices=visit,
        open_invoices=open_invoices(appointment.patient_id),
        credit=credit_balance(appointment.patient_id),
        payments=payments,
    )


@dataclass
class PaymentPage:
    payment: Payment
    allocations: list[Allocation]
    refunds: list[Refund]
    events: list[BillingEvent]


def payment_page(payment: Payment) -> PaymentPage:
    return PaymentPage(
        payment=payment,
        allocations=list(payment.allocations.select_related("invoice")),
        refunds=list(payment.refunds.select_related("refunded_by", "invoice")),
        events=list(payment.events.select_related("by")),
    )


@dataclass
class DayPage:
    location_id: int
    business_date: dt.date
    totals: list[MethodTotal]
    close: DayClose | None
    open_date: dt.date
    recent: list[DayClose]

    @property
    def expected(self) -> int:
        return sum(t.expected for t in self.totals)


def day_page(*, location_id: int, business_date: dt.date | None, now: dt.datetime) -> DayPage:
    """The day's figures by method and its close if any (five queries)."""
    open_date = business_date_for(location_id=location_id, now=now)
    day = business_date or open_date
    close = (
        DayClose.objects.filter(location_id=location_id, business_date=day)
        .select_related("closed_by")
        .prefetch_related("lines")
        .first()
    )
    recent = list(
        DayClose.objects.filter(location_id=location_id).select_related("closed_by").order_by("-business_date")[:10]
    )
    return DayPage(
        location_id=location_id,
        business_date=day,
        totals=day_totals(location_id=location_id, business_date=day),
        close=close,
        open_date=open_date,
        recent=recent,
    )
