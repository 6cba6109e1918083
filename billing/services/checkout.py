"""Check-out at the desk: the visit's invoice (made from the fee schedule on the desk's click,
never on a page view) and the receipt e-mail through the outbox."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import dateformat
from django.utils.translation import gettext as _

from billing.models import BillingEvent, Invoice, PackageRedemption, Payment
from billing.money import format_money
from clinic.localtime import local_date
from notifications.models import Message
from notifications.services import Planned, messages_plan
from treatments.models import Appointment

from ._common import BillingError, record
from .deposits import visit_line
from .invoices import visit_invoice_issue

RECEIPT_KIND = "paid"


def checkout_invoice(*, appointment_id: int, by: User | None, now: dt.datetime, ip: str | None = None) -> Invoice:
    """The visit's invoice, issued: the one that exists (a draft is issued), or a new one with the
    fee of the visit's type on its date. Clicking twice, or two desks at once, make one invoice
    (one live invoice per visit and kind, a database constraint)."""
    appointment = Appointment.objects.filter(pk=appointment_id).first()
    if appointment is None:
        raise BillingError(_("That visit does not exist."))
    if appointment.status == Appointment.Status.CANCELLED:
        raise BillingError(_("A cancelled visit is not invoiced here: use the late-cancel fee instead."))
    if PackageRedemption.objects.filter(appointment_id=appointment.pk, reversed_at__isnull=True).exists():
        # A session given from the series' package (billing/services/packages.py) is paid by it.
        raise BillingError(_("The series package pays for this session: there is nothing to invoice for it."))
    with transaction.atomic():
        # The fee of the visit's type, less a deposit taken for it at booking (deposits.py).
        return visit_invoice_issue(
            appointment=appointment,
            kind=Invoice.Kind.REGULAR,
            fill=lambda invoice: visit_line(invoice=invoice, appointment=appointment, by=by, now=now, ip=ip),
            by=by,
            now=now,
            ip=ip,
        )


def receipt_facts(payment: Payment) -> dict[str, str]:
    """What a receipt message says besides the clinic's name: the amount, the date and the method.
    Never what the visit was for."""
    return {
        "amount": format_money(payment.amount),
        "paid_on": dateformat.format(payment.business_date, "j F Y"),
        "method": str(payment.get_method_display()),
    }


def receipt_email(
    *, payment_id: int, attempt_key: uuid.UUID, by: User | None, now: dt.datetime, ip: str | None = None
) -> Message | None:
    """Queue the payment's receipt in the outbox (sent by the sweep on the patient's channel). The
    attempt key makes a double click one message; a later click sends another copy. Returns the
    new message, or None when this attempt had already queued it."""
    payment = Payment.objects.select_related("patient", "location").filter(pk=payment_id).first()
    if payment is None:
        raise BillingError(_("That payment does not exist."))
    with transaction.atomic():
        planned = messages_plan(
            patient=payment.patient,
            wanted=[
                Planned(
                    key=f"pay:{payment.pk}:receipt:{attempt_key}",
                    kind=RECEIPT_KIND,
                    send_at=now,
                    data={**receipt_facts(payment), "location": payment.location.name},
                )
            ],
            now=now,
        )
        if not planned:
            return None
        record(
            action=BillingEvent.Action.RECEIPT_SENT,
            by=by,
            now=now,
            patient_id=payment.patient_id,
            payment=payment,
            amount=payment.amount,
            detail=local_date(now).isoformat(),
            ip=ip,
        )
    return planned[0]
