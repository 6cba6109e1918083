"""Taking back what an issued invoice asks (the clinic admin's): a credit note (its own gapless
number, lines that may show the arithmetic), a void (a credit note for all not yet credited or
written off) and a write-off of a balance. Each is keyed by its form's attempt key, so a double
click has one effect, and ends with `invoices.settle` (totals, history row, audit entry)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import sequences
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from billing.models import BillingEvent, CreditNote, CreditNoteLine, Invoice, Package, WriteOff
from billing.money import format_money, half_up
from billing.selectors.ledger import ledger_sums
from clinic.models import AuditEntry

from ._common import BillingError, require_clinic_admin, versions_match
from .days import posting_date
from .invoices import lock_invoice, settle

CREDIT_NOTE_SEQUENCE = "credit_note"  # its own gapless series, numbered as invoices are (invoices.py)


@dataclass(frozen=True)
class CreditLine:
    """One line of a credit note: what is credited, and (a computed credit) the arithmetic in words."""

    description: str
    amount: int


def _creditable(invoice: Invoice) -> int:
    sums = ledger_sums(invoice.pk)
    return sums["lines_total"] - sums["credited"] - sums["written_off"]


def _tax_part(invoice: Invoice, amount: int) -> int:
    """The tax inside a credited amount: the invoice's own tax share, rounded half up."""
    if invoice.total <= 0 or invoice.tax_total <= 0:
        return 0
    return half_up(amount * invoice.tax_total, invoice.total)


def _issue_credit_note(
    invoice: Invoice,
    *,
    lines: list[CreditLine],
    reason: str,
    voids: bool,
    attempt_key: uuid.UUID,
    by: User | None,
    now: dt.datetime,
) -> CreditNote:
    total = sum(line.amount for line in lines)
    note = CreditNote.objects.create(
        invoice=invoice,
        number=sequences.get_next_value(CREDIT_NOTE_SEQUENCE),
        reason=reason,
        voids=voids,
        total=total,
        tax_total=_tax_part(invoice, total),
        issued_at=now,
        issue_date=posting_date(location_id=invoice.location_id, now=now),
        issued_by=by,
        attempt_key=attempt_key,
    )
    CreditNoteLine.objects.bulk_create(
        CreditNoteLine(
            credit_note=note,
            position=i,
            description=line.description,
            amount=line.amount,
            tax=_tax_part(invoice, line.amount),
        )
        for i, line in enumerate(lines, start=1)
    )
    return note


def _existing_credit_note(attempt_key: uuid.UUID) -> CreditNote | None:
    return CreditNote.objects.filter(attempt_key=attempt_key).first()


def credit_note_issue(
    *,
    invoice_id: int,
    version: int | None,
    lines: list[CreditLine],
    reason: str,
    attempt_key: uuid.UUID,
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> CreditNote:
    """Credit part of an issued invoice, as the clinic admin chooses: a credit note with its own
    gapless number, a required reason and its lines (credit_note_write)."""
    require_clinic_admin(by, _("issue a credit note"))
    return credit_note_write(
        invoice_id=invoice_id,
        version=version,
        lines=lines,
        reason=reason,
        attempt_key=attempt_key,
        by=by,
        now=now,
        ip=ip,
    )


def credit_note_write(
    *,
    invoice_id: int,
    version: int | None,
    lines: list[CreditLine],
    reason: str,
    attempt_key: uuid.UUID,
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> CreditNote:
    """Write a credit note whose caller has settled who may: credit_note_issue (the clinic admin's
    free credit) or package_close (the credit the clinic's refund rule computes, the desk's). Lines
    may show the arithmetic (a package's refund). The balance falls by the total; a negative
    balance is money owed back to the patient (refund it against the payment). Never more than the
    invoice's total less earlier credits and write-offs."""
    reason = reason.strip()
    if not reason:
        raise BillingError(_("A credit note needs a reason."))
    if not lines or any(line.amount <= 0 or not line.description.strip() for line in lines):
        raise BillingError(_("Each credit line needs a description and an amount above zero."))
    existing = _existing_credit_note(attempt_key)
    if existing is not None:
        return existing
    with transaction.atomic():
        invoice = lock_invoice(invoice_id)
        existing = _existing_credit_note(attempt_key)
        if existing is not None:
            return existing
        versions_match(invoice, version)
        if invoice.status not in (Invoice.Status.ISSUED, Invoice.Status.PAID):
            raise BillingError(_("Only an issued invoice can be credited."))
        total = sum(line.amount for line in lines)
        creditable = _creditable(invoice)
        if total > creditable:
            raise BillingError(
                _("At most %(left)s of %(number)s can still be credited.")
                % {"left": format_money(creditable), "number": invoice.display_number}
            )
        note = _issue_credit_note(
            invoice, lines=lines, reason=reason, voids=False, attempt_key=attempt_key, by=by, now=now
        )
        settle(
            invoice,
            action=BillingEvent.Action.CREDIT_NOTE,
            amount=total,
            detail=f"{note.display_number}: {reason}",
            audit=AuditEntry.Action.CREATE,
            audited=invoice,
            ip=ip,
            by=by,
            now=now,
        )
    return note


def invoice_void(
    *,
    invoice_id: int,
    version: int | None,
    reason: str,
    attempt_key: uuid.UUID,
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> Invoice:
    """Void an issued invoice (the clinic admin): a credit note for all that is not yet credited or
    written off, with its own number and the reason. Payments already allocated stay: the balance
    goes negative by them, and the desk refunds it (or keeps it as credit) against the payment."""
    require_clinic_admin(by, _("void an invoice"))
    reason = reason.strip()
    if not reason:
        raise BillingError(_("Say why the invoice is voided."))
    existing = _existing_credit_note(attempt_key)
    if existing is not None:
        return existing.invoice
    with transaction.atomic():
        invoice = lock_invoice(invoice_id)
        existing = _existing_credit_note(attempt_key)
        if existing is not None:
            return existing.invoice
        versions_match(invoice, version)
        if invoice.is_draft:
            raise BillingError(_("A draft has no number to void: discard it instead."))
        if invoice.status == Invoice.Status.VOID:
            raise BillingError(_("%(number)s is already void.") % {"number": invoice.display_number})
        # A void leaves the package it sold open, its sessions still given from it: the package's
        # own closing credits the invoice by the clinic's rule and stops its sessions.
        if Package.objects.filter(invoice=invoice, status=Package.Status.ACTIVE).exists():
            raise BillingError(
                _(
                    "%(number)s sold a package that is still open: close the package instead (its page "
                    "shows what is credited and why)."
                )
                % {"number": invoice.display_number}
            )
        remaining = _creditable(invoice)
        detail = reason
        if remaining > 0:
            untouched = remaining == invoice.total
            lines = (
                [CreditLine(description=line.description, amount=line.line_total) for line in invoice.lines.all()]
                if untouched
                else [CreditLine(description=_("Rest of %(n)s") % {"n": invoice.display_number}, amount=remaining)]
            )
            lines = [line for line in lines if line.amount > 0]
            note = _issue_credit_note(
                invoice, lines=lines, reason=reason, voids=True, attempt_key=attempt_key, by=by, now=now
            )
            detail = f"{note.display_number}: {reason}"
        invoice.status = Invoice.Status.VOID
        invoice.voided_at = now
        invoice.save(update_fields=["status", "voided_at"])
        settle(
            invoice,
            action=BillingEvent.Action.VOID,
            amount=remaining,
            detail=detail,
            ip=ip,
            by=by,
            now=now,
        )
    return invoice


def invoice_write_off(
    *,
    invoice_id: int,
    version: int | None,
    amount: int,
    reason: str,
    attempt_key: uuid.UUID,
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> WriteOff:
    """Give up collecting part or all of an issued invoice's balance (the clinic admin)."""
    require_clinic_admin(by, _("write off a balance"))
    reason = reason.strip()
    if not reason:
        raise BillingError(_("Say why the balance is written off."))
    if amount <= 0:
        raise BillingError(_("Enter an amount above zero."))
    existing = WriteOff.objects.filter(attempt_key=attempt_key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        invoice = lock_invoice(invoice_id)
        existing = WriteOff.objects.filter(attempt_key=attempt_key).first()
        if existing is not None:
            return existing
        versions_match(invoice, version)
        if invoice.status != Invoice.Status.ISSUED:
            raise BillingError(_("Only an issued invoice with a balance due can be written off."))
        if amount > invoice.balance:
            raise BillingError(
                _("%(amount)s is more than the balance due (%(balance)s).")
                % {"amount": format_money(amount), "balance": format_money(invoice.balance)}
            )
        write_off = WriteOff.objects.create(
            invoice=invoice,
            amount=amount,
            reason=reason,
            at=now,
            business_date=posting_date(location_id=invoice.location_id, now=now),
            by=by,
            attempt_key=attempt_key,
        )
        settle(
            invoice,
            action=BillingEvent.Action.WRITE_OFF,
            amount=amount,
            detail=reason,
            ip=ip,
            by=by,
            now=now,
        )
    return write_off
