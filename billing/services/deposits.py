"""Deposits: invoiced at booking by the clinic's policy (per protocol for a series, per appointment
type for a standalone visit: none, a fixed amount or a percentage of the fee), then applied to the
series' package when it is sold (billing.services.packages.package_sell). The deposit invoice is
linked to the first session it secures."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from billing.models import Charge, DepositPolicy, Fee, Invoice
from billing.money import half_up, line_amounts
from billing.selectors.fees import fee_for_protocol, fee_for_type
from clinic.localtime import local_date
from treatments.models import Appointment, TreatmentSeries

from .invoices import invoice_add_line, invoice_create_draft, invoice_issue


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
                description=what % {"day": local_date(first.start).isoformat()},
                unit_price=amount,
                appointment_id=first.pk,
                series_id=series_id,
                by=by,
                now=now,
            )
        return invoice_issue(invoice_id=invoice.pk, version=None, by=by, now=now)
