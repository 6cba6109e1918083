"""Money owed back: refunds of a payment (to its own method, a card payment through the gateway
first), what of a payment may be refunded and from where (`refund_sources`), and keeping what an
invoice owes back as the patient's credit. Keyed by the form's attempt key and locked in billing's
one order, as payments are (payments.py)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from billing.gateway import GatewayError, refund_gateway
from billing.models import Allocation, BillingEvent, Invoice, PatientCredit, Payment, PaymentMethod, Refund
from billing.money import currency, format_money
from billing.selectors.refunds import refund_sources
from clinic.models import AuditEntry

from ._common import BillingError, record, require_clinic_admin, versions_match
from .days import posting_date
from .invoices import lock_invoice, refresh, settle
from .payments import lock_patient_credit, once_per_attempt

# The reason on a refund row that moved no money: it kept what an invoice owed back as credit.
KEPT_AS_CREDIT = "kept as the patient's credit"


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
        lock_patient_credit(invoice.patient_id)
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
    refund, _created = once_per_attempt(
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
        lock_patient_credit(payment.patient_id)
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
