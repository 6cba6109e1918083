"""Billing's answers to online booking's steps (treatments.hooks): the deposit the clinic's policy
asks at /book/, paid on Stripe's hosted page before the visit is booked (OnlinePaymentStep), and,
once booked, a card saved for the late-cancel policy (OnlineCardStep). Registered in
BillingConfig.ready()."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils.translation import gettext as _

from billing.gateway import card_gateway
from billing.models import CheckoutAttempt, SavedCard
from billing.money import format_money
from billing.services import BillingError
from billing.services.cards import card_setup_begin, late_cancel_fee_for, late_cancel_policy_text, policy_version
from billing.services.online import deposit_checkout_begin, online_deposit_due
from billing.services.online_settle import booking_settle, checkout_refresh
from treatments.hooks import CardChoice, PaymentStepError
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


class CardStep:
    """After an online booking: save a card for the clinic's late-cancel policy, when its type has
    a late-cancel fee, a card gateway exists and the patient has no card on file yet."""

    def _booked(self, booking_id: int) -> OnlineBooking | None:
        return (
            OnlineBooking.objects.select_related("appointment")
            .filter(pk=booking_id, status=OnlineBooking.Status.BOOKED)
            .first()
        )

    def offer(self, *, booking_id: int) -> tuple[str, str]:
        booking = self._booked(booking_id)
        if booking is None or booking.appointment is None or card_gateway() is None:
            return "", ""
        if not late_cancel_fee_for(booking.appointment_type_id):
            return "", ""
        if SavedCard.objects.filter(patient_id=booking.appointment.patient_id).exists():
            return "", ""
        text = late_cancel_policy_text()
        return (text, policy_version(text)) if text else ("", "")

    def begin(self, *, booking_id: int, choice: CardChoice, success_url: str, cancel_url: str, now: dt.datetime) -> str:
        booking = self._booked(booking_id)
        if booking is None or booking.appointment is None:
            raise PaymentStepError(_("Your booking was not found. Please book again."))
        try:
            attempt = card_setup_begin(
                patient_id=booking.appointment.patient_id,
                location_id=booking.location_id,
                key=choice.key,
                agreed=choice.agreed,
                version=choice.version,
                success_url=success_url,
                cancel_url=cancel_url,
                now=now,
            )
        except BillingError as exc:
            raise PaymentStepError(str(exc)) from None
        return attempt.checkout_url

    def saved(self, *, booking_id: int, key: uuid.UUID, now: dt.datetime) -> bool:
        booking = self._booked(booking_id)
        if booking is None or booking.appointment is None:
            return False
        attempt = CheckoutAttempt.objects.filter(
            key=key, patient_id=booking.appointment.patient_id, purpose=CheckoutAttempt.Purpose.CARD
        ).first()
        if attempt is None:
            return False
        checkout_refresh(attempt_id=attempt.pk, now=now)
        return SavedCard.objects.filter(attempt=attempt).exists()
