"""Payments and their allocation to invoices (what is paid beyond them is the patient's credit);
refunds and credit kept from an invoice: refunds.py.

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
from django.utils.translation import gettext as _

from billing.models import Allocation, BillingEvent, Invoice, PatientCredit, Payment, PaymentMethod, Refund
from billing.money import format_money
from billing.selectors.ledger import credit_balance
from clinic.models import AuditEntry
from patients.models import Patient

from ._common import BillingError, record, versions_match
from .days import lock_location, posting_date
from .invoices import refresh

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


def once_per_attempt(
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


def lock_patient_credit(patient_id: int) -> int:
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
    payment, created = once_per_attempt(
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
        available = lock_patient_credit(patient_id)
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
        lock_patient_credit(patient_id)
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
