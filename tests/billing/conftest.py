"""Billing tests' shared fixtures: the fake Stripe API (tests/billing/fake_stripe.py)."""

from tests.billing.fake_stripe import fake_stripe  # noqa: F401 (a fixture, for every billing test)
