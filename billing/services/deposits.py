"""Deposits: invoiced at booking by the clinic's policy (per protocol for a series, per appointment
type for a standalone visit: none, a fixed amount or a percentage of the fee), then applied to the
series' package when it is sold (billing.services.packages.package_sell). The deposit invoice is
linked to the first session it secures; a standalone visit's deposit comes off that visit's
check-out invoice (`visit_line`, called by billing.services.checkout)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from billing.models import BillingEvent, Charge, DepositPolicy, Fee, Invoice
from billing.money import format_money, half_up, line_amounts, price_less_deposit
from billing.selectors.fees import fee_for_protocol, fee_for_type
from clinic.localtime import day_text, local_date
from treatments.models import Appointment, TreatmentSeries

from ._common import BillingError, record
from .invoice_lines import invoice_add_appointment_line, invoice_add_line
from .invoices import invoice_create_draft, invoice_issue


def _gross(fee: Fee | None) -> int:
    if fee is None:
        return 0
    gross, _tax = line_amounts(
        unit_price=fee.unit_price, quantity=1, tax_rate_bp=fee.tax_rate_bp, tax_inclusive=fee.tax_inclusive
    )
    return gross


def deposit_amount(policy: DepositPolicy | None, *, fee: Fee | None) -> int:
    """The policy's deposit in minor units: fixed, or a percentage of `fee` (the package's price for
    a protocol, the visit's for a type) rounded half up; never more than the fee when there is one."""
    if policy is None or policy.charge == Charge.NONE:
        return 0
    gross = _gross(fee)
    if policy.charge == Charge.FIXED:
        return min(int(policy.amount), gross) if fee is not None else int(policy.amount)
    return half_up(gross * policy.percent_bp, 10_000)


def deposit_invoice_at_booking(
    *, appointment_ids: list[int], series_id: int | None, by: User | None, now: dt.datetime
) -> Invoice | None:
    """The deposit invoice for what was just booked, issued, linked to its first session; None when
    the policy asks for none (or there is no policy). Booking the same thing again (an added
    session) makes no second deposit: one live deposit invoice per series or visit."""
    if not appointment_ids:
        return None
    with transaction.atomic():
        first = (
            Appointment.objects.select_related("series__protocol")
            .filter(pk__in=appointment_ids)
            .order_by("start", "id")
            .first()
        )
        if first is None:
            return None
        day = local_date(now)
        if series_id is not None:
            series = TreatmentSeries.objects.select_related("protocol").get(pk=series_id)
            if Invoice.objects.filter(series_id=series_id, kind=Invoice.Kind.DEPOSIT).exclude(status="void").exists():
                return None
            policy = DepositPolicy.objects.filter(protocol_id=series.protocol_id).first()
            fee = fee_for_protocol(protocol_id=series.protocol_id, day=day)
            what = _("Deposit for the treatment series starting %(day)s")
        else:
            policy = DepositPolicy.objects.filter(appointment_type_id=first.appointment_type_id).first()
            fee = fee_for_type(appointment_type_id=first.appointment_type_id, day=day)
            what = _("Deposit for the visit of %(day)s")
        amount = deposit_amount(policy, fee=fee)
        if amount <= 0:
            return None
        invoice = invoice_create_draft(
            patient_id=first.patient_id,
            location_id=first.location_id,
            kind=Invoice.Kind.DEPOSIT,
            appointment_id=first.pk,
            series_id=series_id,
            practitioner_id=first.practitioner_id,
            by=by,
            now=now,
        )
        if not invoice.is_draft:
            return invoice
        if not invoice.lines.exists():
            invoice_add_line(
                invoice_id=invoice.pk,
                version=None,
                description=what % {"day": day_text(local_date(first.start))},
                unit_price=amount,
                appointment_id=first.pk,
                series_id=series_id,
                by=by,
                now=now,
            )
        return invoice_issue(invoice_id=invoice.pk, version=None, by=by, now=now)


def line_less_deposit(
    invoice: Invoice,
    *,
    fee: Fee,
    price: int,
    deposit: Invoice,
    what: str,
    appointment_id: int | None = None,
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> None:
    """The fee's line at its price less the deposit invoiced at booking, the deposit named in the
    line (the fee's code and tax copied; with tax on top, the deposit comes off the price before
    tax, rounded half up); the deposit's history says what it was applied to (`what`)."""
    if deposit.total >= price:
        raise BillingError(_("The deposit is as much as the fee: there is nothing left to invoice."))
    invoice_add_line(
        invoice_id=invoice.pk,
        version=None,
        description=_("%(fee)s, less the deposit on %(deposit)s (%(amount)s)")
        % {"fee": fee.description, "deposit": deposit.display_number, "amount": format_money(deposit.total)},
        unit_price=price_less_deposit(
            unit_price=fee.unit_price,
            tax_rate_bp=fee.tax_rate_bp,
            tax_inclusive=fee.tax_inclusive,
            deposit=deposit.total,
        ),
        tax_rate_bp=fee.tax_rate_bp,
        tax_inclusive=fee.tax_inclusive,
        code_system=fee.code_system,
        code=fee.code,
        modifier=fee.modifier,
        appointment_id=appointment_id,
        series_id=invoice.series_id,
        by=by,
        now=now,
        ip=ip,
    )
    record(
        action=BillingEvent.Action.DEPOSIT_APPLIED,
        by=by,
        now=now,
        patient_id=invoice.patient_id,
        invoice=deposit,
        amount=deposit.total,
        detail=_("applied to %(what)s, %(invoice)s") % {"what": what, "invoice": invoice.pk},
        ip=ip,
    )


def visit_line(
    *, invoice: Invoice, appointment: Appointment, by: User | None, now: dt.datetime, ip: str | None = None
) -> None:
    """A visit's check-out line: the fee of its type, less the deposit invoiced for this visit at
    booking (a standalone visit's: a series' deposit goes to its package instead)."""
    deposit = (
        Invoice.objects.filter(
            appointment_id=appointment.pk,
            series_id__isnull=True,
            kind=Invoice.Kind.DEPOSIT,
            status__in=(Invoice.Status.ISSUED, Invoice.Status.PAID),
        )
        .order_by("id")
        .first()
    )
    fee = fee_for_type(appointment_type_id=appointment.appointment_type_id, day=local_date(appointment.start))
    if deposit is None or fee is None:
        invoice_add_appointment_line(
            invoice_id=invoice.pk, version=None, appointment_id=appointment.pk, by=by, now=now, ip=ip
        )
        return
    line_less_deposit(
        invoice,
        fee=fee,
        price=_gross(fee),
        deposit=deposit,
        what=_("the visit"),
        appointment_id=appointment.pk,
        by=by,
        now=now,
        ip=ip,
    )
