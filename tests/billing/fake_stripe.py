"""The fake Stripe API on loopback for the tests: billing/demo_stripe.py's FakeStripe (the same
fake `make run` serves as its demo Stripe) served by pytest-httpserver, for the real `stripe`
library to talk to. Failures on demand, the hosted page and the signed webhooks: see that module."""

from __future__ import annotations

import pytest
import stripe
from pytest_httpserver import URIPattern

from billing.demo_stripe import SECRET_KEY, WEBHOOK_SECRET, FakeStripe, sign

__all__ = ["SECRET_KEY", "WEBHOOK_SECRET", "FakeStripe", "sign"]


class _Prefix(URIPattern):
    """A URI matcher for pytest-httpserver: every path under a prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def match(self, uri: str) -> bool:
        return uri.startswith(self.prefix)


def _installed(server, settings, *, timeout: float):
    from billing.gateway import register_card_gateway
    from billing.stripe_gateway import StripeGateway

    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    saved = (stripe.api_base, stripe.default_http_client, stripe.max_network_retries)
    fake = FakeStripe(server.url_for("").rstrip("/"))
    server.expect_request(_Prefix("/")).respond_with_handler(fake.handle)
    register_card_gateway(StripeGateway(secret_key=SECRET_KEY, api_base=fake.api_base, timeout=timeout))
    yield fake
    register_card_gateway(None)
    stripe.api_base, stripe.default_http_client, stripe.max_network_retries = saved


@pytest.fixture(name="fake_stripe")
def fake_stripe_fixture(httpserver, settings):
    """The real StripeGateway registered as billing's card gateway, talking to the fake."""
    yield from _installed(httpserver, settings, timeout=1.0)


@pytest.fixture(name="threaded_fake_stripe")
def threaded_fake_stripe_fixture(settings):
    """The same on a server answering requests side by side: for the browser, where the hosted
    page's "Pay" delivers a webhook whose handling asks the fake Stripe again (a saved card)."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield from _installed(server, settings, timeout=5.0)
    finally:
        server.clear()
        server.stop()
