"""Invoices: drafts and their lines, issuing (the gapless number), credit notes, voids, write-offs.

Every function is keyword-only, owns its transaction, locks the invoice row (select_for_update)
and checks the version the page showed (optimistic lock), recomputes the invoice's totals and
balance from the ledger rows, bumps the version, and writes a history row and an audit entry.

Numbers: `sequences.get_next_value` (django-sequences) inside the issuing transaction. It keeps the
last number in a row that the transaction locks until it commits: a rollback puts the number back
and the next issue gets it, so the series has no gaps; concurrent issues queue on that row, so
there are no duplicates. A PostgreSQL SEQUENCE would not do: nextval() is never rolled back."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sequences
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from billing.models import (
    BillingEvent,
    CodeSystem,
    CreditNote,
    CreditNoteLine,
    Fee,
    Invoice,
    InvoiceLine,
    Package,
    WriteOff,
)
from billing.money import format_money, half_up, line_amounts
from billing.selectors.fees import fee_for_type
from billing.selectors.ledger import ledger_sums
from clinic.localtime import day_text, local_date
from clinic.models import AuditEntry
from treatments.models import Appointment

from ._common import BillingError, record, require_clinic_admin, versions_match
from .days import lock_location, posting_date

INVOICE_SEQUENCE = "invoice"
CREDIT_NOTE_SEQUENCE = "credit_note"


def lock_invoice(invoice_id: int, version: int | None = None) -> Invoice:
    """The invoice row, locked for this transaction, after its location's row (every billing write
    takes the location first, then invoices by id, then a number: one order, so no deadlock); a
    stale version is refused."""
    location_id = Invoice.objects.filter(pk=invoice_id).values_list("location_id", flat=True).first()
    if location_id is None:
        raise BillingError(_("That invoice does not exist."))
    lock_location(location_id)
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    versions_match(invoice, version)
    return invoice


def _issued_refusal(invoice: Invoice) -> BillingError:
    return BillingError(
        _(
            "%(number)s is issued: an issued invoice is never changed or deleted. To correct it, the "
            "clinic admin voids it with a credit note, and you issue a new one."
        )
        % {"number": invoice.display_number}
    )


def _lock_draft(invoice_id: int, version: int | None) -> Invoice:
    invoice = lock_invoice(invoice_id, version)
    if not invoice.is_draft:
        raise _issued_refusal(invoice)
    return invoice


def refresh(invoice: Invoice, *, by: User | None, now: dt.datetime) -> Invoice:
    """Recompute totals, balance and status from the ledger rows (the invoice is locked by the
    caller), bump the version, and note a change of paid-ness in the history."""
    sums = ledger_sums(invoice.pk)
    invoice.total = sums["lines_total"]
    invoice.tax_total = sums["lines_tax"]
    invoice.balance = sums["ledger_balance"]
    before = invoice.status
    if invoice.status in (Invoice.Status.ISSUED, Invoice.Status.PAID):
        invoice.status = Invoice.Status.PAID if invoice.balance <= 0 else Invoice.Status.ISSUED
    invoice.version += 1
    invoice.save(update_fields=["total", "tax_total", "balance", "status", "version"])
    if before != invoice.status and before != Invoice.Status.DRAFT:
        paid = invoice.status == Invoice.Status.PAID
        BillingEvent.objects.create(
            patient_id=invoice.patient_id,
            invoice=invoice,
            action=BillingEvent.Action.PAID if paid else BillingEvent.Action.REOPENED,
            amount=None if paid else invoice.balance,
            at=now,
            by=by,
        )
    return invoice


def settle(
    invoice: Invoice,
    *,
    action: str,
    amount: int | None,
    detail: str,
    by: User | None,
    now: dt.datetime,
    ip: str | None,
    audit: str = AuditEntry.Action.CHANGE,
    audited: Model | None = None,
) -> None:
    """The last step of every write on an invoice (it is locked by the caller): its totals, balance
    and version from the ledger rows (`refresh`), then its history row and the audit entry."""
    refresh(invoice, by=by, now=now)
    record(
        action=action,
        by=by,
        now=now,
        patient_id=invoice.patient_id,
        invoice=invoice,
        amount=amount,
        detail=detail,
        audit=audit,
        audited=audited,
        ip=ip,
    )


def invoice_create_draft(
    *,
    patient_id: int,
    location_id: int,
    kind: str = Invoice.Kind.REGULAR,
    appointment_id: int | None = None,
    series_id: int | None = None,
    practitioner_id: int | None = None,
    note: str = "",
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> Invoice:
    """A new draft (no number, nothing owed yet). One live invoice of a kind per visit: asking
    again for the same visit and kind returns the one that exists."""
    with transaction.atomic():
        if appointment_id is not None:
            existing = (
                Invoice.objects.filter(appointment_id=appointment_id, kind=kind)
                .exclude(status=Invoice.Status.VOID)
                .first()
            )
            if existing is not None:
                return existing
        try:
            with transaction.atomic():
                invoice = Invoice.objects.create(
                    patient_id=patient_id,
                    location_id=location_id,
                    kind=kind,
                    appointment_id=appointment_id,
                    series_id=series_id,
                    practitioner_id=practitioner_id,
                    note=note,
                    created_at=now,
                    created_by=by,
                )
        except IntegrityError:
            # Another desk made this visit's invoice in the same instant.
            if appointment_id is None:
                raise
            return Invoice.objects.filter(appointment_id=appointment_id, kind=kind).exclude(status="void").get()
        record(
            action=BillingEvent.Action.CREATED,
            by=by,
            now=now,
            patient_id=patient_id,
            invoice=invoice,
            audit=AuditEntry.Action.CREATE,
            ip=ip,
        )
    return invoice


def visit_invoice_issue(
    *,
    appointment: Appointment,
    kind: str,
    fill: Callable[[Invoice], object],
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> Invoice:
    """The visit's live invoice of `kind`, issued: the one that exists (a draft is issued, `fill`ed
    first if it has no line), or a new one `fill`ed and issued. One live invoice per visit and kind
    (a database constraint): a double click, or two desks at once, make one. Inside the caller's
    transaction."""
    invoice = invoice_create_draft(
        patient_id=appointment.patient_id,
        location_id=appointment.location_id,
        kind=kind,
        appointment_id=appointment.pk,
        series_id=appointment.series_id,
        practitioner_id=appointment.practitioner_id,
        by=by,
        now=now,
        ip=ip,
    )
    if invoice.is_draft:
        if not invoice.lines.exists():
            fill(invoice)
        invoice = invoice_issue(invoice_id=invoice.pk, version=None, by=by, now=now, ip=ip)
    return invoice


def _add_line(
    invoice: Invoice,
    *,
    description: str,
    unit_price: int,
    quantity: int,
    tax_rate_bp: int,
    tax_inclusive: bool,
    code_system: str,
    code: str,
    modifier: str,
    fee: Fee | None,
    appointment_id: int | None,
    series_id: int | None,
    by: User | None,
    now: dt.datetime,
    ip: str | None,
) -> InvoiceLine:
    if not description.strip():
        raise BillingError(_("A line needs a description."))
    if quantity < 1:
        raise BillingError(_("The quantity must be 1 or more."))
    if unit_price < 0:
        raise BillingError(_("The price cannot be negative."))
    gross, tax = line_amounts(
        unit_price=unit_price, quantity=quantity, tax_rate_bp=tax_rate_bp, tax_inclusive=tax_inclusive
    )
    position = invoice.lines.count() + 1
    line = InvoiceLine.objects.create(
        invoice=invoice,
        position=position,
        fee=fee,
        code_system=code_system,
        code=code,
        modifier=modifier,
        description=description.strip(),
        unit_price=unit_price,
        quantity=quantity,
        tax_rate_bp=tax_rate_bp,
        tax_inclusive=tax_inclusive,
        line_total=gross,
        line_tax=tax,
        appointment_id=appointment_id,
        series_id=series_id,
    )
    settle(
        invoice,
        action=BillingEvent.Action.LINE_ADDED,
        amount=gross,
        detail=f"{code} {line.description} × {quantity}".strip(),
        ip=ip,
        by=by,
        now=now,
    )
    return line


def _add_fee_line(
    invoice: Invoice,
    fee: Fee,
    *,
    quantity: int,
    appointment_id: int | None,
    series_id: int | None,
    by: User | None,
    now: dt.datetime,
    ip: str | None,
) -> InvoiceLine:
    """A line copied from the fee schedule: code, description, price and tax as they are now."""
    return _add_line(
        invoice,
        description=fee.description,
        unit_price=fee.unit_price,
        quantity=quantity,
        tax_rate_bp=fee.tax_rate_bp,
        tax_inclusive=fee.tax_inclusive,
        code_system=fee.code_system,
        code=fee.code,
        modifier=fee.modifier,
        fee=fee,
        appointment_id=appointment_id,
        series_id=series_id,
        by=by,
        now=now,
        ip=ip,
    )


def invoice_add_fee_line(
    *,
    invoice_id: int,
    version: int | None,
    fee_id: int,
    quantity: int = 1,
    appointment_id: int | None = None,
    series_id: int | None = None,
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> InvoiceLine:
    """A line copied from the fee schedule: code, description, price and tax as they are now."""
    with transaction.atomic():
        invoice = _lock_draft(invoice_id, version)
        fee = Fee.objects.filter(pk=fee_id).first()
        if fee is None:
            raise BillingError(_("That fee does not exist."))
        return _add_fee_line(
            invoice, fee, quantity=quantity, appointment_id=appointment_id, series_id=series_id, by=by, now=now, ip=ip
        )


def invoice_add_appointment_line(
    *,
    invoice_id: int,
    version: int | None,
    appointment_id: int,
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> InvoiceLine:
    """The visit's line: the fee of the appointment's type valid on the visit's local date."""
    with transaction.atomic():
        invoice = _lock_draft(invoice_id, version)
        appointment = Appointment.objects.select_related("appointment_type").filter(pk=appointment_id).first()
        if appointment is None or appointment.patient_id != invoice.patient_id:
            raise BillingError(_("That visit is not this patient's."))
        if invoice.lines.filter(appointment_id=appointment_id).exists():
            raise BillingError(_("This visit is already on the invoice."))
        day = local_date(appointment.start)
        fee = fee_for_type(appointment_type_id=appointment.appointment_type_id, day=day)
        if fee is None:
            raise BillingError(
                _("No fee is set for “%(type)s” on %(day)s: the clinic admin adds one in setup (Billing › Fees).")
                % {"type": appointment.appointment_type.name, "day": day_text(day)}
            )
        return _add_fee_line(
            invoice,
            fee,
            quantity=1,
            appointment_id=appointment.pk,
            series_id=appointment.series_id,
            by=by,
            now=now,
            ip=ip,
        )


def invoice_add_line(
    *,
    invoice_id: int,
    version: int | None,
    description: str,
    unit_price: int,
    quantity: int = 1,
    tax_rate_bp: int = 0,
    tax_inclusive: bool = False,
    code_system: str = CodeSystem.INTERNAL,
    code: str = "",
    modifier: str = "",
    appointment_id: int | None = None,
    series_id: int | None = None,
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> InvoiceLine:
    """A free line (not from the fee schedule)."""
    with transaction.atomic():
        invoice = _lock_draft(invoice_id, version)
        return _add_line(
            invoice,
            description=description,
            unit_price=unit_price,
            quantity=quantity,
            tax_rate_bp=tax_rate_bp,
            tax_inclusive=tax_inclusive,
            code_system=code_system,
            code=code,
            modifier=modifier,
            fee=None,
            appointment_id=appointment_id,
            series_id=series_id,
            by=by,
            now=now,
            ip=ip,
        )


def invoice_remove_line(
    *, invoice_id: int, version: int | None, line_id: int, by: User | None, now: dt.datetime, ip: str | None = None
) -> Invoice:
    with transaction.atomic():
        invoice = _lock_draft(invoice_id, version)
        line = invoice.lines.filter(pk=line_id).first()
        if line is None:
            raise BillingError(_("That line is not on this invoice."))
        line.delete()
        settle(
            invoice,
            action=BillingEvent.Action.LINE_REMOVED,
            amount=line.line_total,
            detail=line.description,
            ip=ip,
            by=by,
            now=now,
        )
    return invoice


def invoice_issue(
    *,
    invoice_id: int,
    version: int | None,
    due_date: dt.date | None = None,
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> Invoice:
    """Draft → issued: the next number of the gapless series, in this transaction. An invoice
    whose total is zero (e.g. a session a package covers) is paid at once."""
    with transaction.atomic():
        invoice = lock_invoice(invoice_id, version)
        if not invoice.is_draft:
            raise BillingError(_("%(number)s is already issued.") % {"number": invoice.display_number})
        if not invoice.lines.exists():
            raise BillingError(_("Add at least one line before issuing the invoice."))
        invoice.issue_date = posting_date(location_id=invoice.location_id, now=now)
        if due_date is not None and due_date < invoice.issue_date:
            raise BillingError(_("The due date cannot be before the invoice's date."))
        invoice.number = sequences.get_next_value(INVOICE_SEQUENCE)
        invoice.status = Invoice.Status.ISSUED
        invoice.issued_at = now
        invoice.issued_by = by
        invoice.due_date = due_date or invoice.issue_date
        invoice.save(update_fields=["number", "status", "issued_at", "issued_by", "issue_date", "due_date"])
        settle(
            invoice,
            action=BillingEvent.Action.ISSUED,
            amount=invoice.total,
            detail=invoice.display_number,
            ip=ip,
            by=by,
            now=now,
        )
    return invoice


def invoice_delete_draft(
    *, invoice_id: int, version: int | None, by: User | None, now: dt.datetime, ip: str | None = None
) -> None:
    """A draft has no number and nothing was owed: it may go. An issued invoice never does."""
    with transaction.atomic():
        invoice = _lock_draft(invoice_id, version)
        record(
            action=BillingEvent.Action.LINE_REMOVED,
            by=by,
            now=now,
            patient_id=invoice.patient_id,
            detail=_("draft invoice %(id)s discarded") % {"id": invoice.pk},
            audit=AuditEntry.Action.DELETE,
            audited=invoice,
            ip=ip,
        )
        BillingEvent.objects.filter(invoice=invoice).update(invoice=None)
        invoice.delete()


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
    """Credit part of an issued invoice (the clinic admin): a credit note with its own gapless
    number, a required reason, and lines that may show the arithmetic (a package's refund). The
    balance falls by the total; a negative balance is money owed back to the patient (refund it
    against the payment). Never more than the invoice's total less earlier credits and write-offs."""
    require_clinic_admin(by, _("issue a credit note"))
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
