"""Stripe behind billing's CardGateway (billing/gateway.py), with the official `stripe` library.

Configured from the environment (clinic/settings): STRIPE_SECRET_KEY (the gateway exists only
when it is set), STRIPE_WEBHOOK_SECRET (billing/views/stripe_webhook.py) and STRIPE_API_BASE (the
API's address: Stripe's own by default, a fake on loopback in the tests). Every call that creates
something passes our attempt key as Stripe's idempotency key, retries none itself (the patient or
the desk retries with the same key) and gives up after `timeout` seconds. Stripe's errors become
GatewayError with plain words; a card declined off-session is an answer (OffSessionCharge)."""

from __future__ import annotations

import uuid
from typing import Any

import stripe
from django.utils.translation import gettext as _

from billing.gateway import GatewayError, HostedCheckout, OffSessionCharge

DEFAULT_TIMEOUT = 20.0


def _id(value: Any) -> str:
    """A Stripe field that is an id, or an expanded object with one, or empty."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    return str(value.get("id", ""))


def _failure(exc: stripe.StripeError) -> GatewayError:
    if isinstance(exc, stripe.APIConnectionError):
        return GatewayError(_("The card service did not answer in time."))
    if isinstance(exc, stripe.CardError):
        return GatewayError(exc.user_message or _("The card was declined."))
    status = getattr(exc, "http_status", None) or "?"
    return GatewayError(_("The card service could not do it (error %(status)s).") % {"status": status})


def plain(obj: Any) -> dict[str, Any]:
    """A Stripe object (or an event's) as plain dicts and lists."""
    return obj.to_dict() if isinstance(obj, stripe.StripeObject) else dict(obj)


def checkout_from(obj: Any) -> HostedCheckout:
    """A Checkout Session (from the API or a verified event) in billing's words."""
    session = plain(obj)
    setup = session.get("setup_intent")
    saved_card = _id(setup.get("payment_method")) if setup and not isinstance(setup, str) else ""
    return HostedCheckout(
        id=session["id"],
        url=session.get("url") or "",
        status=session.get("status") or "",
        paid=session.get("payment_status") == "paid",
        amount=int(session.get("amount_total") or 0),
        currency=(session.get("currency") or "").upper(),
        payment_reference=_id(session.get("payment_intent")),
        attempt_key=session.get("client_reference_id") or "",
        saved_card=saved_card,
        customer=_id(session.get("customer")),
    )


class StripeGateway:
    def __init__(self, *, secret_key: str, api_base: str = "", timeout: float = DEFAULT_TIMEOUT) -> None:
        self.secret_key = secret_key
        if api_base:
            stripe.api_base = api_base.rstrip("/")
        stripe.max_network_retries = 0
        stripe.default_http_client = stripe.RequestsClient(timeout=timeout)

    def create_checkout(
        self,
        *,
        amount: int,
        currency: str,
        description: str,
        success_url: str,
        cancel_url: str,
        expires_at: int,
        attempt_key: uuid.UUID,
        customer_email: str = "",
    ) -> HostedCheckout:
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency.lower(),
                        "unit_amount": amount,
                        "product_data": {"name": description},
                    },
                }
            ],
            "client_reference_id": str(attempt_key),
            "metadata": {"attempt": str(attempt_key)},
            "payment_intent_data": {"metadata": {"attempt": str(attempt_key)}},
            "success_url": success_url,
            "cancel_url": cancel_url,
            "expires_at": expires_at,
        }
        if customer_email:
            params["customer_email"] = customer_email
        try:
            session = stripe.checkout.Session.create(
                api_key=self.secret_key, idempotency_key=f"checkout-{attempt_key}", **params
            )
        except stripe.StripeError as exc:
            raise _failure(exc) from None
        return checkout_from(session)

    def create_card_setup(
        self, *, success_url: str, cancel_url: str, expires_at: int, attempt_key: uuid.UUID, customer_email: str = ""
    ) -> HostedCheckout:
        params: dict[str, Any] = {
            "mode": "setup",
            "currency": "usd",
            "customer_creation": "always",
            "client_reference_id": str(attempt_key),
            "metadata": {"attempt": str(attempt_key)},
            "success_url": success_url,
            "cancel_url": cancel_url,
            "expires_at": expires_at,
        }
        if customer_email:
            params["customer_email"] = customer_email
        try:
            session = stripe.checkout.Session.create(
                api_key=self.secret_key, idempotency_key=f"setup-{attempt_key}", **params
            )
        except stripe.StripeError as exc:
            raise _failure(exc) from None
        return checkout_from(session)

    def retrieve_checkout(self, *, checkout_id: str) -> HostedCheckout:
        try:
            session = stripe.checkout.Session.retrieve(checkout_id, api_key=self.secret_key, expand=["setup_intent"])
        except stripe.StripeError as exc:
            raise _failure(exc) from None
        return checkout_from(session)

    def refund(self, *, payment_reference: str, amount: int, currency: str, idempotency_key: uuid.UUID) -> str:  # noqa: ARG002 (a refund is in its payment's currency)
        try:
            refund = stripe.Refund.create(
                api_key=self.secret_key,
                idempotency_key=f"refund-{idempotency_key}",
                payment_intent=payment_reference,
                amount=amount,
                metadata={"attempt": str(idempotency_key)},
            )
        except stripe.StripeError as exc:
            raise _failure(exc) from None
        # "pending" is accepted by Stripe and reaches the card later; "failed"/"canceled" never will.
        answer = plain(refund)
        if answer.get("status") not in ("succeeded", "pending"):
            raise GatewayError(_("The card service did not accept the refund (%(status)s).") % answer)
        return str(answer["id"])

    def charge_saved_card(
        self, *, customer: str, card: str, amount: int, currency: str, description: str, attempt_key: uuid.UUID
    ) -> OffSessionCharge:
        try:
            intent = stripe.PaymentIntent.create(
                api_key=self.secret_key,
                idempotency_key=f"charge-{attempt_key}",
                amount=amount,
                currency=currency.lower(),
                customer=customer,
                payment_method=card,
                off_session=True,
                confirm=True,
                description=description,
                metadata={"attempt": str(attempt_key)},
            )
        except stripe.CardError as exc:
            intent_id = _id(plain(exc.error.payment_intent) if exc.error and exc.error.payment_intent else "")
            return OffSessionCharge(reference=intent_id, paid=False, decline=exc.user_message or _("Declined."))
        except stripe.StripeError as exc:
            raise _failure(exc) from None
        answer = plain(intent)
        paid = answer.get("status") == "succeeded"
        return OffSessionCharge(reference=str(answer["id"]), paid=paid, decline="" if paid else str(answer["status"]))
