"""Payments, their allocation to invoices, refunds and the patient's credit.

The attempt key is rendered into the form once and is UNIQUE on the row: a double click, or a
request retried after a time-out, finds the first submit's payment and returns it (created=False)
instead of recording a second one. Locks are taken location first, then invoices by id (the same
order as every billing write), and each invoice's version from the page is checked, so two desks
taking the last payment of the same invoice get one payment and one "changed by someone else"."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from billing.gateway import GatewayError, refund_gateway
from billing.models import Allocation, BillingEvent, Invoice, PatientCredit, Payment, PaymentMethod, Refund
from billing.money import currency, format_money
from billing.selectors.ledger import credit_balance
from clinic.models import AuditEntry
from patients.models import Patient

from ._common import BillingError, record, require_clinic_admin, versions_match
from .days import lock_location, posting_date
from .invoices import lock_invoice, refresh, settle

Keyed = TypeVar("Keyed", Payment, Refund)


@dataclass(frozen=True)
class AllocationRequest:
    invoice_id: int
    amount: int
    version: int | None = None  # the version the page showed; None = no page (a script, a test)


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment
    created: bool  # False: this attempt key had already been used; `payment` is the first one's


def _once(
    model: type[Keyed], attempt_key: uuid.UUID, *, location_id: int, write: Callable[[], Keyed]
) -> tuple[Keyed, bool]:
    """A money write keyed by its form's attempt key (UNIQUE on the row), done at most once: a double
    click or a retry after a time-out gets the first submit's row back (False). The first row is
    looked for before anything is locked; again once the location is locked (a second request
    queues there behind the first); and when the constraint refused a request that raced the first
    past both. `write` runs in the transaction that holds the location's lock."""
    rows = model._default_manager.filter(attempt_key=attempt_key)
    existing = rows.first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            lock_location(location_id)
            existing = rows.first()
            if existing is not None:
                return existing, False
            return write(), True
    except IntegrityError:
        existing = rows.first()
        if existing is None:
            raise
        return existing, False


def _lock_patient_credit(patient_id: int) -> int:
    """Serialise writes to one patient's credit, then read it."""
    Patient.objects.select_for_update(no_key=True).filter(pk=patient_id).first()
    return credit_balance(patient_id)


def _lock_invoices(patient_id: int, requests: list[AllocationRequest]) -> dict[int, Invoice]:
    ids = [r.invoice_id for r in requests]
    if len(set(ids)) != len(ids):
        raise BillingError(_("Each invoice may appear once in a payment."))
    invoices = {i.pk: i for i in Invoice.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    for r in requests:
        invoice = invoices.get(r.invoice_id)
        if invoice is None or invoice.patient_id != patient_id:
            raise BillingError(_("That invoice is not this patient's."))
        versions_match(invoice, r.version)
        if r.amount <= 0:
            raise BillingError(_("An amount allocated to an invoice must be above zero."))
        if invoice.status == Invoice.Status.DRAFT:
            raise BillingError(_("Issue the invoice before taking payment for it."))
        if invoice.status == Invoice.Status.VOID:
            raise BillingError(_("%(n)s is void: nothing is owed on it.") % {"n": invoice.display_number})
        if r.amount > invoice.balance:
            raise BillingError(
                _("%(amount)s is more than the balance of %(n)s (%(balance)s).")
                % {
                    "amount": format_money(r.amount),
                    "n": invoice.display_number,
                    "balance": format_money(max(invoice.balance, 0)),
                }
            )
    return invoices


def payment_take(
    *,
    patient_id: int,
    location_id: int,
    method: str,
    amount: int,
    allocations: list[AllocationRequest],
    attempt_key: uuid.UUID,
    reference: str = "",
    note: str = "",
    keep_change_as_credit: bool = False,
    business_date: dt.date | None = None,
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> PaymentResult:
    """Record money received and allocate it to invoices. Money beyond the allocations becomes the
    patient's credit only when the desk chose so; otherwise the payment is refused. A payment from
    patient credit takes it out of the credit ledger. `card_online` is recorded only with the
    gateway's reference (issue 23's webhook), never typed at the desk."""
    if method not in PaymentMethod.values:
        raise BillingError(_("Choose how the patient paid."))
    if method == PaymentMethod.CARD_ONLINE and not reference:
        raise BillingError(_("An online card payment is recorded by the card gateway, not at the desk."))
    if amount <= 0:
        raise BillingError(_("Enter an amount above zero."))
    payment, created = _once(
        Payment,
        attempt_key,
        location_id=location_id,
        write=lambda: _take(
            patient_id=patient_id,
            location_id=location_id,
            method=method,
            amount=amount,
            allocations=allocations,
            attempt_key=attempt_key,
            reference=reference.strip(),
            note=note.strip(),
            keep_change_as_credit=keep_change_as_credit,
            business_date=business_date,
            by=by,
            now=now,
            ip=ip,
        ),
    )
    return PaymentResult(payment, created=created)


def _take(
    *,
    patient_id: int,
    location_id: int,
    method: str,
    amount: int,
    allocations: list[AllocationRequest],
    attempt_key: uuid.UUID,
    reference: str,
    note: str,
    keep_change_as_credit: bool,
    business_date: dt.date | None,
    by: User | None,
    now: dt.datetime,
    ip: str | None,
) -> Payment:
    invoices = _lock_invoices(patient_id, allocations)
    allocated = sum(r.amount for r in allocations)
    if allocated > amount:
        raise BillingError(
            _("The amounts for the invoices (%(allocated)s) add up to more than the payment (%(amount)s).")
            % {"allocated": format_money(allocated), "amount": format_money(amount)}
        )
    change = amount - allocated
    from_credit = method == PaymentMethod.PATIENT_CREDIT
    if from_credit:
        if change:
            raise BillingError(_("A payment from the patient's credit must all go to invoices."))
        available = _lock_patient_credit(patient_id)
        if amount > available:
            raise BillingError(
                _("The patient has %(available)s of credit, less than %(amount)s.")
                % {"available": format_money(available), "amount": format_money(amount)}
            )
    elif change and not keep_change_as_credit:
        raise BillingError(
            _(
                "The payment is %(change)s more than the invoices' balance. Lower the amount, or choose "
                "to keep the difference as the patient's credit."
            )
            % {"change": format_money(change)}
        )
    elif change:
        _lock_patient_credit(patient_id)
    day = posting_date(location_id=location_id, now=now, business_date=business_date)
    payment = Payment.objects.create(
        patient_id=patient_id,
        location_id=location_id,
        method=method,
        amount=amount,
        reference=reference,
        attempt_key=attempt_key,
        taken_at=now,
        business_date=day,
        taken_by=by,
        note=note,
    )
    method_label = str(PaymentMethod(method).label)
    detail = f"{method_label}, ref {reference}" if reference else method_label
    record(
        action=BillingEvent.Action.PAYMENT,
        by=by,
        now=now,
        patient_id=patient_id,
        payment=payment,
        amount=amount,
        detail=detail,
        audit=AuditEntry.Action.CREATE,
        ip=ip,
    )
    for r in allocations:
        invoice = invoices[r.invoice_id]
        Allocation.objects.create(payment=payment, invoice=invoice, amount=r.amount, at=now)
        BillingEvent.objects.create(
            patient_id=patient_id,
            invoice=invoice,
            payment=payment,
            action=BillingEvent.Action.ALLOCATED,
            amount=r.amount,
            detail=detail,
            at=now,
            by=by,
        )
        refresh(invoice, by=by, now=now)
    if from_credit:
        PatientCredit.objects.create(
            patient_id=patient_id, amount=-amount, payment=payment, at=now, business_date=day, by=by
        )
    elif change:
        PatientCredit.objects.create(
            patient_id=patient_id, amount=change, payment=payment, at=now, business_date=day, by=by
        )
        BillingEvent.objects.create(
            patient_id=patient_id,
            payment=payment,
            action=BillingEvent.Action.CREDIT,
            amount=change,
            detail=_("kept as the patient's credit"),
            at=now,
            by=by,
        )
    return payment


# The reason on a refund row that moved no money: it kept what an invoice owed back as credit.
KEPT_AS_CREDIT = "kept as the patient's credit"


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


def invoice_keep_as_credit(
    *,
    invoice_id: int,
    version: int | None,
    amount: int,
    attempt_key: uuid.UUID,
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> list[Refund]:
    """What an invoice owes back to the patient (a credit note or a void left its balance below
    zero) kept as the patient's credit instead of refunded, when the desk chooses so; no money
    moves, so the day's close does not count it. Recorded as a `patient_credit` refund row per
    payment it came from (its attempt key derived from `attempt_key`) and a credit row each; the
    credit then pays another invoice (a deposit applied to the visit) or is refunded later."""
    if amount <= 0:
        raise BillingError(_("Enter an amount above zero."))

    def row_key(n: int) -> uuid.UUID:
        return uuid.uuid5(attempt_key, str(n))

    with transaction.atomic():
        invoice = lock_invoice(invoice_id)
        if Refund.objects.filter(attempt_key=row_key(0)).exists():
            # A double click: the first request's rows.
            return list(
                Refund.objects.filter(
                    invoice=invoice, reason=KEPT_AS_CREDIT, attempt_key__in=[row_key(n) for n in range(100)]
                )
            )
        versions_match(invoice, version)
        if amount > -invoice.balance:
            raise BillingError(
                _("%(n)s owes the patient %(owed)s: no more can be kept as credit.")
                % {"n": invoice.display_number, "owed": format_money(max(-invoice.balance, 0))}
            )
        _lock_patient_credit(invoice.patient_id)
        day = posting_date(location_id=invoice.location_id, now=now)
        paid_it = Allocation.objects.filter(invoice=invoice).values("payment_id")
        payments = Payment.objects.select_for_update().filter(pk__in=paid_it).order_by("pk")
        rows: list[Refund] = []
        remaining = amount
        for payment in payments:
            source = next((s for s in refund_sources(payment) if s.invoice and s.invoice.pk == invoice.pk), None)
            take = min(remaining, source.available if source else 0)
            if take <= 0:
                continue
            row = Refund.objects.create(
                payment=payment,
                invoice=invoice,
                location_id=invoice.location_id,
                method=PaymentMethod.PATIENT_CREDIT,
                amount=take,
                reason=KEPT_AS_CREDIT,
                attempt_key=row_key(len(rows)),
                refunded_at=now,
                business_date=day,
                refunded_by=by,
            )
            PatientCredit.objects.create(
                patient_id=invoice.patient_id, amount=take, refund=row, at=now, business_date=day, by=by
            )
            rows.append(row)
            remaining -= take
            if not remaining:
                break
        if remaining:
            raise BillingError(_("Only money that was paid on this invoice can be kept as credit."))
        settle(
            invoice,
            action=BillingEvent.Action.CREDIT,
            amount=amount,
            detail=str(_("kept as the patient's credit")),
            ip=ip,
            by=by,
            now=now,
        )
    return rows


def refund_issue(
    *,
    payment_id: int,
    amount: int,
    reason: str,
    attempt_key: uuid.UUID,
    invoice_id: int | None = None,
    business_date: dt.date | None = None,
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> Refund:
    """Give money back against a payment, to its own method (the clinic admin), with a reason.
    Never above what remains unrefunded on the payment, and only what is owed back: out of the
    patient's credit kept from this payment (invoice_id None), or out of an invoice this payment
    paid that a credit note or void left owing the patient. A refund of an online card payment
    goes to the card first (billing.gateway); if the gateway fails nothing is recorded."""
    require_clinic_admin(by, _("refund a payment"))
    reason = reason.strip()
    if not reason:
        raise BillingError(_("Say why the money is refunded."))
    if amount <= 0:
        raise BillingError(_("Enter an amount above zero."))
    location_id = Payment.objects.filter(pk=payment_id).values_list("location_id", flat=True).first()
    if location_id is None:
        raise BillingError(_("That payment does not exist."))
    refund, _created = _once(
        Refund,
        attempt_key,
        location_id=location_id,
        write=lambda: _refund(
            payment_id=payment_id,
            location_id=location_id,
            amount=amount,
            reason=reason,
            attempt_key=attempt_key,
            invoice_id=invoice_id,
            business_date=business_date,
            by=by,
            now=now,
            ip=ip,
        ),
    )
    return refund


def _refund(
    *,
    payment_id: int,
    location_id: int,
    amount: int,
    reason: str,
    attempt_key: uuid.UUID,
    invoice_id: int | None,
    business_date: dt.date | None,
    by: User | None,
    now: dt.datetime,
    ip: str | None,
) -> Refund:
    invoice = None
    if invoice_id is not None:
        invoice = Invoice.objects.select_for_update().filter(pk=invoice_id).first()
        if invoice is None:
            raise BillingError(_("That invoice does not exist."))
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.method == PaymentMethod.PATIENT_CREDIT:
        raise BillingError(_("A payment made from the patient's credit moved no money: there is nothing to refund."))
    cash_refunds = payment.refunds.exclude(method=PaymentMethod.PATIENT_CREDIT)
    left = payment.amount - int(cash_refunds.aggregate(s=Sum("amount"))["s"] or 0)
    if amount > left:
        raise BillingError(
            _("%(amount)s is more than remains unrefunded on this payment (%(left)s).")
            % {"amount": format_money(amount), "left": format_money(left)}
        )
    if invoice is None:
        _lock_patient_credit(payment.patient_id)
    sources: dict[int | None, int] = {s.invoice.pk if s.invoice else None: s.available for s in refund_sources(payment)}
    available = sources.get(invoice_id, 0)
    if amount > available:
        if invoice is None:
            raise BillingError(
                _(
                    "Only %(available)s of this payment is held as the patient's credit. To refund money "
                    "that paid an invoice, credit or void the invoice first, then refund from it."
                )
                % {"available": format_money(available)}
            )
        raise BillingError(
            _(
                "Only %(available)s paid by this payment is owed back on %(n)s. To refund more, the "
                "clinic admin first credits or voids the invoice."
            )
            % {"available": format_money(available), "n": invoice.display_number}
        )
    day = posting_date(location_id=location_id, now=now, business_date=business_date)
    reference = ""
    if payment.method == PaymentMethod.CARD_ONLINE:
        gateway = refund_gateway()
        if gateway is None:
            raise BillingError(_("Refunds of online card payments go through the card gateway, which is not set up."))
        try:
            reference = gateway.refund(
                payment_reference=payment.reference, amount=amount, currency=currency(), idempotency_key=attempt_key
            )
        except GatewayError as exc:
            raise BillingError(_("The card gateway refused the refund: %(why)s") % {"why": exc}) from None
    refund = Refund.objects.create(
        payment=payment,
        invoice=invoice,
        location_id=location_id,
        method=payment.method,
        amount=amount,
        reason=reason,
        attempt_key=attempt_key,
        reference=reference,
        refunded_at=now,
        business_date=day,
        refunded_by=by,
    )
    if invoice is None:
        PatientCredit.objects.create(
            patient_id=payment.patient_id, amount=-amount, refund=refund, at=now, business_date=day, by=by
        )
    else:
        refresh(invoice, by=by, now=now)
    record(
        action=BillingEvent.Action.REFUND,
        by=by,
        now=now,
        patient_id=payment.patient_id,
        invoice=invoice,
        payment=payment,
        amount=amount,
        detail=f"{payment.get_method_display()}: {reason}",
        audit=AuditEntry.Action.CREATE,
        audited=payment,
        ip=ip,
    )
    return refund
