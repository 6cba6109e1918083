"""`manage.py demo_stripe`: the DEMO FAKE Stripe for `make run` (the Procfile's `stripe` process).

Serves billing/demo_stripe.py's fake API and hosted Checkout page on 127.0.0.1:STRIPE_DEMO_PORT
(the web port + 10000), sending its signed webhooks to SITE_URL's /billing/stripe/webhook/. Only
with the local settings' STRIPE_DEMO (DEBUG on, no STRIPE_SECRET_KEY of the clinic's own); otherwise
it says so and waits, so that honcho keeps the other processes running."""

from __future__ import annotations

import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse


class Command(BaseCommand):
    help = "Serve the demo fake Stripe (make run only: DEBUG on and no STRIPE_SECRET_KEY)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "STRIPE_DEMO", False):
            self.stdout.write("No demo fake Stripe: card payments use the Stripe keys set (or none).")
            self.stdout.flush()
            signal.pause()  # honcho stops every process when one ends
            return
        from werkzeug.serving import make_server

        from billing.demo_stripe import FakeStripe

        port = settings.STRIPE_DEMO_PORT
        fake = FakeStripe(
            f"http://127.0.0.1:{port}",
            webhook_url=settings.SITE_URL + reverse("billing:stripe_webhook"),
            expire_on_time=True,
        )
        server = make_server("127.0.0.1", port, fake.wsgi, threaded=True)
        self.stdout.write(
            f"Demo fake Stripe (no card is charged, nothing leaves this machine) on {fake.base_url}, "
            f"webhooks to {fake.webhook_url}"
        )
        self.stdout.flush()
        server.serve_forever()
