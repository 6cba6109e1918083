"""The seam for card payments made online (issue 23). The desk never takes `card_online` itself:
such a payment is recorded from the gateway's confirmation, and its refund must reach the card
before it is recorded. Until a gateway registers here, refunding an online card payment is refused
with a clear message, and nothing is recorded."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol


class GatewayError(Exception):
    """The gateway refused or failed; the message is shown to the desk and nothing is recorded."""


class RefundGateway(Protocol):
    def refund(self, *, payment_reference: str, amount: int, currency: str, idempotency_key: uuid.UUID) -> str:
        """Send the refund to the card; return the gateway's refund id once it is confirmed."""
        ...


_gateway: RefundGateway | None = None


def register_refund_gateway(gateway: RefundGateway | None) -> None:
    global _gateway
    _gateway = gateway


def refund_gateway() -> RefundGateway | None:
    return _gateway


# Card payments online (issue 23): what billing asks of a card provider. Stripe's implementation
# is billing/stripe_gateway.py; a second provider would implement the same six calls. Every call
# that moves money or creates something at the provider carries our attempt key as its
# idempotency key, so a retry after a time-out never charges twice.


@dataclass(frozen=True)
class HostedCheckout:
    """A hosted payment page at the provider, as the provider last told us."""

    id: str
    url: str
    status: str  # "open", "complete" or "expired"
    paid: bool  # the money was taken (Stripe: payment_status "paid")
    amount: int  # in minor units, as the provider will charge or charged it
    currency: str
    payment_reference: str  # the provider's payment id (Stripe: the PaymentIntent), "" until paid
    attempt_key: str  # our CheckoutAttempt key, echoed back by the provider
    saved_card: str = ""  # setup mode: the saved card's id (Stripe: the PaymentMethod)
    customer: str = ""


@dataclass(frozen=True)
class OffSessionCharge:
    reference: str  # the provider's payment id
    paid: bool
    decline: str = ""  # why the card was declined, in the provider's words


@dataclass(frozen=True)
class HostedPage:
    """Where a hosted page sends the patient back, until when it is kept, and our attempt's key
    (the provider's idempotency key, echoed back with the page)."""

    success_url: str
    cancel_url: str
    expires_at: int  # a Unix timestamp
    attempt_key: uuid.UUID
    customer_email: str = ""


class CardGateway(Protocol):
    def create_checkout(self, *, amount: int, currency: str, description: str, page: HostedPage) -> HostedCheckout:
        """A hosted page that takes exactly `amount`; raises GatewayError."""
        ...

    def create_card_setup(self, *, page: HostedPage) -> HostedCheckout:
        """A hosted page that saves a card for later (no charge); raises GatewayError."""
        ...

    def retrieve_checkout(self, *, checkout_id: str) -> HostedCheckout:
        """What the provider knows of a hosted page now; raises GatewayError."""
        ...

    def refund(self, *, payment_reference: str, amount: int, currency: str, idempotency_key: uuid.UUID) -> str:
        """Send the refund to the card; return the provider's refund id once it is confirmed."""
        ...

    def charge_saved_card(
        self, *, customer: str, card: str, amount: int, currency: str, description: str, attempt_key: uuid.UUID
    ) -> OffSessionCharge:
        """Charge a saved card without the patient present; a decline is an answer, not an error.
        Raises GatewayError when the provider cannot be reached."""
        ...

    def detach_card(self, *, card: str) -> None:
        """The patient removed a saved card: the provider forgets it (a card already detached is
        done, not an error); raises GatewayError."""
        ...


_card_gateway: CardGateway | None = None


def register_card_gateway(gateway: CardGateway | None) -> None:
    """The card provider for online payments; it also refunds them (register_refund_gateway)."""
    global _card_gateway
    _card_gateway = gateway
    register_refund_gateway(gateway)


def card_gateway() -> CardGateway | None:
    return _card_gateway
