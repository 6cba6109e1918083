"""Invoices: a draft made, issued (the gapless number) or discarded, and the steps every invoice
write shares: the lock (`lock_invoice`, `lock_draft`) and the last step (`settle`: totals, history
row, audit entry). A draft's lines: invoice_lines.py; credit notes, voids and write-offs:
credit_notes.py.

Every function is keyword-only, owns its transaction, locks the invoice row (select_for_update)
and checks the version the page showed (optimistic lock), recomputes the invoice's totals and
balance from the ledger rows, bumps the version, and writes a history row and an audit entry.

Numbers: `sequences.get_next_value` (django-sequences) inside the issuing transaction. It keeps the
last number in a row that the transaction locks until it commits: a rollback puts the number back
and the next issue gets it, so the series has no gaps; concurrent issues queue on that row, so
there are no duplicates. A PostgreSQL SEQUENCE would not do: nextval() is never rolled back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sequences
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from billing.models import BillingEvent, Invoice
from billing.selectors.ledger import ledger_sums
from clinic.models import AuditEntry
from treatments.models import Appointment

from ._common import BillingError, record, versions_match
from .days import lock_location, posting_date

INVOICE_SEQUENCE = "invoice"


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


def lock_draft(invoice_id: int, version: int | None) -> Invoice:
    """The invoice locked as `lock_invoice` does, refused unless it is still a draft (only a draft's
    lines change)."""
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
        invoice = lock_draft(invoice_id, version)
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
