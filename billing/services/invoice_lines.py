"""An invoice's lines, while it is a draft: a line from the fee schedule, the visit's line (the fee
of its type on its day), a free line, and removing one. Each locks the draft and checks the
version the page showed (`invoices.lock_draft`), then recomputes the invoice and writes its
history row and audit entry (`invoices.settle`)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from billing.models import BillingEvent, CodeSystem, Fee, Invoice, InvoiceLine
from billing.money import line_amounts
from billing.selectors.fees import fee_for_type
from clinic.localtime import day_text, local_date
from treatments.models import Appointment

from ._common import BillingError
from .invoices import lock_draft, settle


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
        invoice = lock_draft(invoice_id, version)
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
        invoice = lock_draft(invoice_id, version)
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
        invoice = lock_draft(invoice_id, version)
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
        invoice = lock_draft(invoice_id, version)
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
