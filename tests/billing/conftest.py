"""Billing tests' shared fixtures: the fake Stripe API (tests/billing/fake_stripe.py)."""

from tests.billing.fake_stripe import fake_stripe_fixture  # noqa: F401 (the `fake_stripe` fixture)
