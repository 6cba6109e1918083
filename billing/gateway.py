"""The seam for card payments made online (issue 23). The desk never takes `card_online` itself:
such a payment is recorded from the gateway's confirmation, and its refund must reach the card
before it is recorded. Until a gateway registers here, refunding an online card payment is refused
with a clear message, and nothing is recorded."""

from __future__ import annotations

import uuid
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
