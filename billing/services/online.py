"""Card payments online (issue 23): begin a hosted checkout for an open invoice, a deposit or a
package. Settling it when the gateway says the money was taken (the webhook, the patient's return,
whichever comes first) and taking each gateway event once: online_settle.py.

The amount is always the server's: the invoice's balance when the attempt began, never a figure
from a form; what the gateway charged is what is recorded."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from billing.gateway import CardGateway, GatewayError, HostedCheckout, HostedPage, card_gateway
from billing.models import CheckoutAttempt, DepositPolicy, Invoice
from billing.money import currency
from billing.selectors.fees import fee_for_type
from billing.selectors.packages import package_offer
from clinic.localtime import day_text, local_date
from treatments.models import OnlineBooking, TreatmentSeries

from ._common import BillingError
from .deposits import deposit_amount

log = logging.getLogger(__name__)
Status = CheckoutAttempt.Status
# Stripe refuses a hosted page that expires sooner than 30 minutes after it is made.
CHECKOUT_LIFETIME = dt.timedelta(minutes=31)
NOTHING_CHARGED = _("Nothing was charged. Please try again in a minute.")


def _pressed_before(*, key: uuid.UUID, patient_id: int) -> CheckoutAttempt | None:
    """The attempt this form's key already began (a double click: the same page), or None."""
    existing = CheckoutAttempt.objects.filter(key=key).first()
    if existing is None:
        return None
    if existing.patient_id != patient_id:
        raise BillingError(_("That payment page is not yours."))
    if existing.status == Status.OPEN and existing.checkout_url:
        return existing
    raise BillingError(_("This payment was already started. Reload the page to pay."))


def checkout_begin(
    *, patient_id: int, invoice_id: int, key: uuid.UUID, success_url: str, cancel_url: str, now: dt.datetime
) -> CheckoutAttempt:
    """A hosted checkout for what the patient owes on one issued invoice: the amount is the
    invoice's balance now. The form's key makes a double click one attempt (the same page is
    returned). If the gateway fails, the attempt is marked failed, nothing is charged or recorded,
    and a new press (a new key) tries again."""
    gateway = card_gateway()
    if gateway is None:
        raise BillingError(_("Paying by card online is not available. Please call the clinic."))
    if (existing := _pressed_before(key=key, patient_id=patient_id)) is not None:
        return existing
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().filter(pk=invoice_id, patient_id=patient_id).first()
        if invoice is None:
            raise BillingError(_("That invoice is not yours."))
        if invoice.status != Invoice.Status.ISSUED or invoice.balance <= 0:
            raise BillingError(_("%(n)s has nothing left to pay.") % {"n": invoice.display_number})
        try:
            with transaction.atomic():
                attempt = CheckoutAttempt.objects.create(
                    key=key,
                    purpose=CheckoutAttempt.Purpose.INVOICE,
                    patient_id=patient_id,
                    location_id=invoice.location_id,
                    invoice=invoice,
                    amount=invoice.balance,
                    currency=currency(),
                    description=_("Invoice %(n)s") % {"n": invoice.display_number},
                    created_at=now,
                )
        except IntegrityError:
            raise BillingError(_("This payment was already started. Reload the page to pay.")) from None
    return _hosted(attempt, gateway=gateway, success_url=success_url, cancel_url=cancel_url, now=now)


def hosted_page(
    attempt: CheckoutAttempt,
    *,
    make: Callable[[HostedPage], HostedCheckout],
    success_url: str,
    cancel_url: str,
    now: dt.datetime,
) -> CheckoutAttempt:
    """Ask the gateway for the hosted page of an attempt just written (`make`: a payment page or
    a card setup page); a failure marks the attempt failed and tells the patient nothing was
    charged."""
    page = HostedPage(
        success_url=success_url,
        cancel_url=cancel_url,
        expires_at=int((now + CHECKOUT_LIFETIME).timestamp()),
        attempt_key=attempt.key,
    )
    try:
        hosted = make(page)
    except GatewayError as exc:
        CheckoutAttempt.objects.filter(pk=attempt.pk).update(status=Status.FAILED, failure=str(exc)[:250])
        raise BillingError(f"{exc} {NOTHING_CHARGED}") from None
    attempt.checkout_id = hosted.id
    attempt.checkout_url = hosted.url
    attempt.save(update_fields=["checkout_id", "checkout_url"])
    return attempt


def _hosted(
    attempt: CheckoutAttempt, *, gateway: CardGateway, success_url: str, cancel_url: str, now: dt.datetime
) -> CheckoutAttempt:
    """The payment page for exactly the attempt's amount."""

    def make(page: HostedPage) -> HostedCheckout:
        return gateway.create_checkout(
            amount=attempt.amount, currency=attempt.currency, description=attempt.description, page=page
        )

    return hosted_page(attempt, make=make, success_url=success_url, cancel_url=cancel_url, now=now)


def online_deposit_due(*, appointment_type_id: int, start: dt.datetime) -> int:
    """The deposit the clinic's policy asks for a visit of this type booked online (none, a fixed
    amount, a percentage — 100 % is full prepayment — of the type's fee on the visit's day)."""
    policy = DepositPolicy.objects.filter(appointment_type_id=appointment_type_id).first()
    return deposit_amount(policy, fee=fee_for_type(appointment_type_id=appointment_type_id, day=local_date(start)))


def _page_open(*, now: dt.datetime, **what: object) -> CheckoutAttempt | None:
    """An attempt for `what` whose hosted page is still open for a while (a second press, another
    tab: the patient is sent to that page rather than to a second one)."""
    fresh = now - CHECKOUT_LIFETIME + dt.timedelta(minutes=5)
    attempts = CheckoutAttempt.objects.filter(status=Status.OPEN, created_at__gt=fresh, **what)
    return attempts.exclude(checkout_url="").first()


def deposit_checkout_begin(*, booking_id: int, success_url: str, cancel_url: str, now: dt.datetime) -> CheckoutAttempt:
    """The hosted page for the deposit of an online booking held while paying. A second press
    while a page is open returns that page (one attempt at a time)."""
    gateway = card_gateway()
    if gateway is None:
        raise BillingError(_("Paying by card online is not available. Please call the clinic."))
    with transaction.atomic():
        booking = OnlineBooking.objects.select_for_update().select_related("location").get(pk=booking_id)
        if booking.status != OnlineBooking.Status.PAYING or booking.patient_id is None:
            raise BillingError(_("The time you picked is no longer held. Please pick a time again."))
        if (existing := _page_open(now=now, online_booking=booking)) is not None:
            return existing
        amount = online_deposit_due(appointment_type_id=booking.appointment_type_id, start=booking.start)
        if amount <= 0:
            raise BillingError(_("No deposit is asked for this booking."))
        attempt = CheckoutAttempt.objects.create(
            key=uuid.uuid4(),
            purpose=CheckoutAttempt.Purpose.DEPOSIT,
            patient_id=booking.patient_id,
            location_id=booking.location_id,
            online_booking=booking,
            amount=amount,
            currency=currency(),
            description=_("Deposit for your visit of %(day)s") % {"day": day_text(local_date(booking.start))},
            created_at=now,
        )
    return _hosted(attempt, gateway=gateway, success_url=success_url, cancel_url=cancel_url, now=now)


def package_checkout_begin(
    *, patient_id: int, series_id: int, key: uuid.UUID, success_url: str, cancel_url: str, now: dt.datetime
) -> CheckoutAttempt:
    """A hosted checkout for the series' package, bought by the patient from the portal. The
    amount is what the desk's sale would invoice today (`package_offer`: the package fee less a
    deposit already invoiced); the package is sold only when the gateway says the money was
    taken (`checkout_settle`). A second press while a page is open returns that page."""
    gateway = card_gateway()
    if gateway is None:
        raise BillingError(_("Paying by card online is not available. Please call the clinic."))
    if (existing := _pressed_before(key=key, patient_id=patient_id)) is not None:
        return existing
    with transaction.atomic():
        series = (
            TreatmentSeries.objects.select_for_update(of=("self",))
            .select_related("protocol")
            .filter(pk=series_id, patient_id=patient_id)
            .first()
        )
        if series is None:
            raise BillingError(_("That treatment series is not yours."))
        offer = package_offer(series, today=local_date(now))
        if offer.problem or offer.fee is None:
            raise BillingError(offer.problem or _("This package cannot be bought online."))
        if offer.to_invoice <= 0:
            raise BillingError(_("Your deposit already covers the package: there is nothing to pay."))
        if (pending := _page_open(now=now, series=series, purpose=CheckoutAttempt.Purpose.PACKAGE)) is not None:
            return pending
        attempt = CheckoutAttempt.objects.create(
            key=key,
            purpose=CheckoutAttempt.Purpose.PACKAGE,
            patient_id=patient_id,
            location_id=series.location_id,
            series=series,
            amount=offer.to_invoice,
            currency=currency(),
            description=_("Series package: %(n)d sessions") % {"n": offer.fee.package_sessions},
            created_at=now,
        )
    return _hosted(attempt, gateway=gateway, success_url=success_url, cancel_url=cancel_url, now=now)
