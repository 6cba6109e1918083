"""Card payments online (issue 23): begin a hosted checkout for an open invoice, settle it when the
gateway says the money was taken (the webhook, the patient's return, whichever comes first), and
take each gateway event once.

One payment per attempt, whoever learns of it first: settling locks the attempt row, then the
location and the invoice (billing's lock order), does nothing when the attempt is already paid,
and records the payment with the attempt's key (unique on Payment) through `payment_take`.
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
from billing.models import CheckoutAttempt, DepositPolicy, GatewayEvent, Invoice, PaymentMethod
from billing.money import currency
from billing.selectors.fees import fee_for_type
from billing.selectors.packages import package_offer
from clinic.localtime import day_text, local_date
from treatments.booking.services import online_booking_complete
from treatments.models import OnlineBooking, TreatmentSeries
from treatments.scheduling.services.kernel import BookingError

from ._common import BillingError
from .checkout import receipt_email
from .days import lock_location
from .deposits import deposit_amount, deposit_invoice_at_booking
from .packages import package_sell
from .payments import AllocationRequest, payment_take

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
