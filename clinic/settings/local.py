"""Development: `make run` and a developer's shell. Only here may SECRET_KEY fall back to a
development value."""

from .base import *  # noqa: F403
from .base import DEBUG, SITE_URL, STRIPE_SECRET_KEY, env

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-not-secret-prolo-key-change-me-in-production")
# `make run`: the demo admin signs in with the password alone. Turn it on to try the set-up
# (ADMIN_2FA_REQUIRED=1 make run); production and the test suite require it.
ADMIN_2FA_REQUIRED = env.bool("ADMIN_2FA_REQUIRED", default=False)


def _demo_stripe_port() -> int:
    """The demo fake Stripe's port: the web port (WEB_PORT, else SITE_URL's) + 10000, so that two
    checkouts running side by side (PORT=8000 and PORT=8001) each have their own."""
    from urllib.parse import urlsplit

    web = env.int("WEB_PORT", default=0) or urlsplit(SITE_URL).port or 8000
    return web + 10000 if web <= 55535 else web - 10000


# `make run`'s card payments: with DEBUG on and no Stripe key of the clinic's own, the real `stripe`
# library talks to the DEMO FAKE Stripe on loopback (billing/demo_stripe.py, started by the
# Procfile's `stripe` process: `manage.py demo_stripe`), so a deposit at /book/, "Pay now", a card
# on file and a refund can be tried with no internet and no card charged. Setting STRIPE_SECRET_KEY
# (and STRIPE_WEBHOOK_SECRET) uses the real Stripe instead; STRIPE_DEMO=0 turns card payments off.
STRIPE_DEMO_PORT = env.int("STRIPE_DEMO_PORT", default=_demo_stripe_port())
STRIPE_DEMO = DEBUG and not STRIPE_SECRET_KEY and env.bool("STRIPE_DEMO", default=True)
if STRIPE_DEMO:
    STRIPE_SECRET_KEY = "sk_test_fake_stripe"  # the demo fake's; it opens nothing else
    STRIPE_WEBHOOK_SECRET = "whsec_test_fake_stripe"
    STRIPE_API_BASE = f"http://127.0.0.1:{STRIPE_DEMO_PORT}"
