"""Card payments online, settled (issue 23): when the gateway says the money was taken (the
webhook, the patient's return, whichever comes first), or the hosted page expired; and each
gateway event taken once. The checkouts begin in online.py.

One payment per attempt, whoever learns of it first: settling locks the attempt row, then the
location and the invoice (billing's lock order), does nothing when the attempt is already paid,
and records the payment with the attempt's key (unique on Payment) through `payment_take`."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.db import IntegrityError, transaction

from billing.gateway import GatewayError, HostedCheckout, card_gateway
from billing.models import CheckoutAttempt, GatewayEvent, Invoice, PaymentMethod
from treatments.booking.services.confirm import online_booking_complete
from treatments.models import OnlineBooking
from treatments.scheduling.services.kernel.slots import BookingError

from ._common import BillingError
from .checkout import receipt_email
from .days import lock_location
from .deposits import deposit_invoice_at_booking
from .online import CHECKOUT_LIFETIME
from .packages import package_sell
from .payments import AllocationRequest, payment_take

log = logging.getLogger(__name__)
Status = CheckoutAttempt.Status


def booking_settle(*, booking_id: int, now: dt.datetime) -> bool | None:
    """Ask the gateway about every open deposit attempt of an online booking (settling a paid one
    books it). True: paid; False: nothing paid and nothing payable any more; None: not known yet."""
    unknown = False
    for attempt in CheckoutAttempt.objects.filter(online_booking_id=booking_id).order_by("pk"):
        if attempt.status == Status.OPEN:
            attempt = checkout_refresh(attempt_id=attempt.pk, now=now)
        if attempt.status == Status.PAID:
            return True
        if attempt.status == Status.OPEN and (attempt.checkout_id or attempt.created_at > now - CHECKOUT_LIFETIME):
            unknown = True
    if OnlineBooking.objects.filter(pk=booking_id, status=OnlineBooking.Status.BOOKED).exists():
        return True
    return None if unknown else False


def _attempt_for(hosted: HostedCheckout) -> CheckoutAttempt | None:
    query = CheckoutAttempt.objects.select_for_update()
    attempt = query.filter(checkout_id=hosted.id).first()
    if attempt is None and hosted.attempt_key:
        try:
            attempt = query.filter(key=uuid.UUID(hosted.attempt_key)).first()
        except ValueError:
            return None
    return attempt


def checkout_settle(*, hosted: HostedCheckout, now: dt.datetime) -> CheckoutAttempt | None:
    """Record the payment of a hosted checkout the gateway reports paid: once, however many times
    and in whatever order the webhook and the patient's return report it. Money beyond what the
    invoice still owes (the desk took a payment meanwhile) is kept as the patient's credit: it was
    taken from the card, so it is recorded. Returns the attempt, or None when it is not ours."""
    with transaction.atomic():
        attempt = _attempt_for(hosted)
        if attempt is None:
            log.warning("billing: a paid checkout %s that is not ours", hosted.id)
            return None
        if attempt.status == Status.PAID or not hosted.paid:
            return attempt
        if attempt.purpose == CheckoutAttempt.Purpose.PACKAGE and attempt.series_id is not None:
            attempt.invoice = _package_sold(attempt, now=now)  # locks the series, as the desk's sale does
        lock_location(attempt.location_id)
        allocations = []
        if attempt.purpose == CheckoutAttempt.Purpose.DEPOSIT and attempt.online_booking_id is not None:
            attempt.invoice = _deposit_booked(attempt, now=now)
        if attempt.invoice_id is not None:
            invoice = Invoice.objects.select_for_update().get(pk=attempt.invoice_id)
            share = min(hosted.amount, max(invoice.balance, 0)) if invoice.status == Invoice.Status.ISSUED else 0
            if share > 0:
                allocations.append(AllocationRequest(invoice_id=invoice.pk, amount=share))
        result = payment_take(
            patient_id=attempt.patient_id,
            location_id=attempt.location_id,
            method=PaymentMethod.CARD_ONLINE,
            amount=hosted.amount,
            allocations=allocations,
            attempt_key=attempt.key,
            reference=hosted.payment_reference or hosted.id,
            note=attempt.description,
            keep_change_as_credit=True,
            by=None,
            now=now,
        )
        attempt.status = Status.PAID
        attempt.payment = result.payment
        attempt.settled_at = now
        attempt.save(update_fields=["status", "payment", "settled_at", "invoice"])
        # The patient's receipt, through the outbox (the amount, the date and the method only).
        receipt_email(payment_id=result.payment.pk, attempt_key=attempt.key, by=None, now=now)
    return attempt


def _deposit_booked(attempt: CheckoutAttempt, *, now: dt.datetime) -> Invoice | None:
    """The deposit is paid: book the held slot (treatments' own booking), then its deposit invoice
    (B2's, linked to the visit, so check-out takes it off). A slot that can no longer be booked
    leaves the money as the patient's credit for the desk to refund or use, and is logged."""
    booking_id = attempt.online_booking_id
    try:
        with transaction.atomic():
            booking = online_booking_complete(booking_id=booking_id or 0, now=now)
            if booking.appointment_id is None:
                return None
            return deposit_invoice_at_booking(
                appointment_ids=[booking.appointment_id], series_id=None, by=None, now=now
            )
    except (BookingError, BillingError) as refusal:
        log.warning("billing: deposit paid for online booking %s, not booked: %s", booking_id, refusal)
        return None


def _package_sold(attempt: CheckoutAttempt, *, now: dt.datetime) -> Invoice | None:
    """The package is paid: sell it as the desk does (`package_sell`, the attempt's key making a
    second settle the same sale) and return its invoice. A series that can no longer be sold (the
    desk sold it meanwhile, it stopped) leaves the money as the patient's credit, logged."""
    try:
        with transaction.atomic():
            package = package_sell(series_id=attempt.series_id or 0, attempt_key=attempt.key, by=None, now=now)
    except BillingError as refusal:
        log.warning("billing: package paid online for series %s, not sold: %s", attempt.series_id, refusal)
        return None
    return package.invoice


def checkout_expire(*, hosted: HostedCheckout, now: dt.datetime) -> CheckoutAttempt | None:
    """The hosted page expired unpaid: the attempt is over (a paid one stays paid, whatever order
    the events come in)."""
    with transaction.atomic():
        attempt = _attempt_for(hosted)
        if attempt is None or attempt.status != Status.OPEN:
            return attempt
        attempt.status = Status.EXPIRED
        attempt.settled_at = now
        attempt.save(update_fields=["status", "settled_at"])
    return attempt


def checkout_refresh(*, attempt_id: int, now: dt.datetime) -> CheckoutAttempt:
    """Ask the gateway what became of an open attempt (the patient came back; a sweep) and settle
    or expire it. When the gateway cannot be asked, the attempt stays open: nothing is decided
    without the gateway's answer."""
    attempt = CheckoutAttempt.objects.get(pk=attempt_id)
    gateway = card_gateway()
    if attempt.status != Status.OPEN or not attempt.checkout_id or gateway is None:
        return attempt
    try:
        hosted = gateway.retrieve_checkout(checkout_id=attempt.checkout_id)
    except GatewayError as exc:
        log.warning("billing: checkout %s not looked up: %s", attempt.checkout_id, exc)
        return attempt
    if attempt.purpose == CheckoutAttempt.Purpose.CARD:
        from .cards import card_saved  # the card module builds on this one

        card_saved(attempt=attempt, hosted=hosted, now=now)
        return attempt
    if hosted.paid:
        return checkout_settle(hosted=hosted, now=now) or attempt
    if hosted.status == "expired":
        return checkout_expire(hosted=hosted, now=now) or attempt
    return attempt


# The events billing acts on; any other kind is stored and answered 200, doing nothing.
PAID_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
EXPIRED_EVENTS = ("checkout.session.expired", "checkout.session.async_payment_failed")


def _card_attempt(hosted: HostedCheckout) -> CheckoutAttempt | None:
    """The card-setup attempt (Checkout in setup mode) an event is about, or None."""
    query = CheckoutAttempt.objects.filter(purpose=CheckoutAttempt.Purpose.CARD)
    return query.filter(checkout_id=hosted.id).first()


def gateway_event_take(*, event_id: str, kind: str, hosted: HostedCheckout | None, now: dt.datetime) -> str:
    """One verified webhook event: stored by its id once, and acted on in the same transaction (so
    an event whose handling fails is not stored, and the gateway's retry is handled afresh). A
    completed card setup asks the gateway for the card (the event names only its SetupIntent);
    the gateway not answering raises GatewayError: the event is not stored, Stripe sends it again.
    Returns what happened, in a word, for the response and the log."""
    try:
        with transaction.atomic():
            GatewayEvent.objects.create(event_id=event_id, kind=kind[:80], received_at=now)
            outcome = "ignored"
            card = _card_attempt(hosted) if hosted is not None and kind in PAID_EVENTS else None
            if card is not None:
                from .cards import card_setup_settle  # the card module builds on this one

                saved = card_setup_settle(attempt=card, now=now)
                outcome = "card saved" if saved is not None else "card not saved"
            elif hosted is not None and kind in PAID_EVENTS:
                attempt = checkout_settle(hosted=hosted, now=now)
                outcome = "paid" if attempt is not None and attempt.status == Status.PAID else "not paid"
            elif hosted is not None and kind in EXPIRED_EVENTS:
                checkout_expire(hosted=hosted, now=now)
                outcome = "expired"
            GatewayEvent.objects.filter(event_id=event_id).update(outcome=outcome)
    except IntegrityError:
        if GatewayEvent.objects.filter(event_id=event_id).exists():
            return "replay"
        raise
    return outcome
