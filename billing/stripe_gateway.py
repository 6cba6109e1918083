"""Stripe behind billing's CardGateway (billing/gateway.py), with the official `stripe` library.

Configured from the environment (clinic/settings): STRIPE_SECRET_KEY (the gateway exists only
when it is set), STRIPE_WEBHOOK_SECRET (billing/views/stripe_webhook.py) and STRIPE_API_BASE (the
API's address: Stripe's own by default, a fake on loopback in the tests). Every call that creates
something passes our attempt key as Stripe's idempotency key, retries none itself (the patient or
the desk retries with the same key) and gives up after `timeout` seconds. Stripe's errors become
GatewayError with plain words; a card declined off-session is an answer (OffSessionCharge)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import stripe
from django.utils.translation import gettext as _

from billing.gateway import GatewayError, HostedCheckout, HostedPage, OffSessionCharge

DEFAULT_TIMEOUT = 20.0


def _id(value: Any) -> str:
    """A Stripe field that is an id, or an expanded object with one, or empty."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    return str(value.get("id", ""))


class _Declined(GatewayError):
    """A card declined off-session: an answer (OffSessionCharge), not a failure to reach Stripe."""

    def __init__(self, exc: stripe.CardError) -> None:
        error = exc.error
        intent_id = _id(plain(error.payment_intent) if error and error.payment_intent else "")
        self.charge = OffSessionCharge(reference=intent_id, paid=False, decline=exc.user_message or _("Declined."))
        super().__init__(self.charge.decline)


def _failure(exc: stripe.StripeError) -> GatewayError:
    """Stripe's errors in plain words, the one mapping every call goes through."""
    if isinstance(exc, stripe.APIConnectionError):
        return GatewayError(_("The card service did not answer in time."))
    if isinstance(exc, stripe.CardError):
        return _Declined(exc)
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


def _call(method: Callable[..., Any], /, *args: Any, **params: Any) -> Any:
    """One call to Stripe; its errors in billing's words (GatewayError), mapped once (`_failure`)."""
    try:
        return method(*args, **params)
    except stripe.StripeError as exc:
        raise _failure(exc) from None


def _page_params(page: HostedPage) -> dict[str, Any]:
    """What every hosted page of ours tells Stripe: our attempt, the way back, how long it lasts."""
    params: dict[str, Any] = {
        "client_reference_id": str(page.attempt_key),
        "metadata": {"attempt": str(page.attempt_key)},
        "success_url": page.success_url,
        "cancel_url": page.cancel_url,
        "expires_at": page.expires_at,
    }
    if page.customer_email:
        params["customer_email"] = page.customer_email
    return params


class StripeGateway:
    def __init__(self, *, secret_key: str, api_base: str = "", timeout: float = DEFAULT_TIMEOUT) -> None:
        self.secret_key = secret_key
        if api_base:
            stripe.api_base = api_base.rstrip("/")
        stripe.max_network_retries = 0
        stripe.default_http_client = stripe.RequestsClient(timeout=timeout)

    def _session(self, params: dict[str, Any], *, page: HostedPage, prefix: str) -> HostedCheckout:
        session = _call(
            stripe.checkout.Session.create,
            api_key=self.secret_key,
            idempotency_key=f"{prefix}-{page.attempt_key}",
            **params,
            **_page_params(page),
        )
        return checkout_from(session)

    def create_checkout(self, *, amount: int, currency: str, description: str, page: HostedPage) -> HostedCheckout:
        item = {"currency": currency.lower(), "unit_amount": amount, "product_data": {"name": description}}
        params = {
            "mode": "payment",
            "line_items": [{"quantity": 1, "price_data": item}],
            "payment_intent_data": {"metadata": {"attempt": str(page.attempt_key)}},
        }
        return self._session(params, page=page, prefix="checkout")

    def create_card_setup(self, *, page: HostedPage) -> HostedCheckout:
        params = {"mode": "setup", "currency": "usd", "customer_creation": "always"}
        return self._session(params, page=page, prefix="setup")

    def retrieve_checkout(self, *, checkout_id: str) -> HostedCheckout:
        session = _call(stripe.checkout.Session.retrieve, checkout_id, api_key=self.secret_key, expand=["setup_intent"])
        return checkout_from(session)

    def refund(self, *, payment_reference: str, amount: int, currency: str, idempotency_key: uuid.UUID) -> str:  # noqa: ARG002 (a refund is in its payment's currency)
        refund = _call(
            stripe.Refund.create,
            api_key=self.secret_key,
            idempotency_key=f"refund-{idempotency_key}",
            payment_intent=payment_reference,
            amount=amount,
            metadata={"attempt": str(idempotency_key)},
        )
        # "pending" is accepted by Stripe and reaches the card later; "failed"/"canceled" never will.
        answer = plain(refund)
        if answer.get("status") not in ("succeeded", "pending"):
            raise GatewayError(_("The card service did not accept the refund (%(status)s).") % answer)
        return str(answer["id"])

    def charge_saved_card(
        self, *, customer: str, card: str, amount: int, currency: str, description: str, attempt_key: uuid.UUID
    ) -> OffSessionCharge:
        try:
            intent = _call(
                stripe.PaymentIntent.create,
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
        except _Declined as declined:
            return declined.charge
        answer = plain(intent)
        paid = answer.get("status") == "succeeded"
        return OffSessionCharge(reference=str(answer["id"]), paid=paid, decline="" if paid else str(answer["status"]))

    def detach_card(self, *, card: str) -> None:
        """PaymentMethod detach. Stripe refuses to detach a card that is no longer attached (a
        second press, a retry after a time-out): the card is then looked up, and a card with no
        customer is done."""
        try:
            stripe.PaymentMethod.detach(card, api_key=self.secret_key)
        except stripe.InvalidRequestError as exc:
            method = plain(_call(stripe.PaymentMethod.retrieve, card, api_key=self.secret_key))
            if method.get("customer"):
                raise _failure(exc) from None
        except stripe.StripeError as exc:
            raise _failure(exc) from None
