"""Billing's answer to online booking's payment step (treatments.hooks.OnlinePaymentStep): the
deposit the clinic's policy asks at /book/, paid on Stripe's hosted page before the visit is booked.
Registered in BillingConfig.ready() when a card gateway is configured."""

from __future__ import annotations

import datetime as dt

from billing.gateway import card_gateway
from billing.models import CheckoutAttempt
from billing.money import format_money
from billing.services import BillingError
from billing.services.online import booking_settle, deposit_checkout_begin, online_deposit_due
from treatments.hooks import PaymentStepError
from treatments.models import OnlineBooking


class DepositStep:
    def deposit_due(self, *, appointment_type_id: int, start: dt.datetime, now: dt.datetime) -> int:  # noqa: ARG002
        if card_gateway() is None:
            return 0  # nothing can be paid online: booked as before (the desk's deposit invoice)
        return online_deposit_due(appointment_type_id=appointment_type_id, start=start)

    def deposit_text(self, *, booking_id: int) -> str:
        booking = OnlineBooking.objects.get(pk=booking_id)
        return format_money(online_deposit_due(appointment_type_id=booking.appointment_type_id, start=booking.start))

    def begin(self, *, booking_id: int, success_url: str, cancel_url: str, now: dt.datetime) -> str:
        try:
            attempt: CheckoutAttempt = deposit_checkout_begin(
                booking_id=booking_id, success_url=success_url, cancel_url=cancel_url, now=now
            )
        except BillingError as exc:
            raise PaymentStepError(str(exc)) from None
        return attempt.checkout_url

    def settle(self, *, booking_id: int, now: dt.datetime) -> bool | None:
        return booking_settle(booking_id=booking_id, now=now)
