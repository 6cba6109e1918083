"""`manage.py demo_stripe`: the DEMO FAKE Stripe for `make run` (the Procfile's `stripe` process).

Serves billing/demo_stripe.py's fake API and hosted Checkout page on 127.0.0.1:STRIPE_DEMO_PORT
(the web port + 10000), sending its signed webhooks to SITE_URL's /billing/stripe/webhook/. Its
front page (http://127.0.0.1:<port>/) is the demo's "Stripe dashboard": every event it sent, each
with "Send it again" (Stripe's retry: the same event id, signed afresh), and every refund it took.
Only with the local settings' STRIPE_DEMO (DEBUG on, no STRIPE_SECRET_KEY of the clinic's own);
otherwise it says so and waits, so that honcho keeps the other processes running."""

from __future__ import annotations

import html
import json
import signal
import urllib.error
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse
from werkzeug import Request, Response

from billing.demo_stripe import FakeStripe


class DemoStripe(FakeStripe):
    """The fake, with the dashboard a person trying the demo needs: events to replay, refunds."""

    payloads: list[str]

    def pay(self, sid: str, *, card: str = "pm_card_visa") -> str:
        payload = super().pay(sid, card=card)
        self.payloads.append(payload)
        return payload

    def handle(self, request: Request) -> Response:
        if request.path == "/" and request.method == "GET":
            return self._dashboard(request.args.get("sent", ""))
        if request.path.startswith("/events/") and request.method == "POST":
            return self._send_again(int(request.path.split("/")[2]))
        return super().handle(request)

    def _send_again(self, index: int) -> Response:
        try:
            status = str(self.deliver(self.payloads[index]))
        except urllib.error.HTTPError as exc:
            status = str(exc.code)
        except (IndexError, OSError):
            status = "not delivered"
        return Response("", status=303, headers={"Location": f"/?sent={index}:{status}"})

    def _dashboard(self, sent: str) -> Response:
        rows = []
        for index, payload in enumerate(self.payloads):
            event = json.loads(payload)
            session = event["data"]["object"]
            rows.append(
                f"<tr><td>{event['id']}</td><td>{event['type']}</td><td>{session['id']}</td>"
                f"<td>{session['amount_total']} {session['currency']}</td><td>"
                f"<form method='post' action='/events/{index}'><button>Send it again</button></form></td></tr>"
            )
        refunds = "".join(
            f"<li>{r['id']}: {r['amount']} {r['currency']} of {r['payment_intent']} ({r['status']})</li>"
            for r in self.refunds
        )
        note = ""
        if sent:
            which, _, status = sent.partition(":")
            note = f"<p id='sent'>Event {html.escape(which)} sent again: the clinic answered {html.escape(status)}.</p>"
        page = (
            "<!doctype html><html lang='en'><head><meta name='viewport' content='width=device-width'>"
            "<title>Demo fake Stripe</title></head><body style='font-family:sans-serif'>"
            "<h1>Demo fake Stripe</h1><p style='background:#fff3cd;padding:.5rem'>A demo fake on this computer: "
            "no card is charged, nothing leaves this machine.</p>"
            f"{note}<h2>Events sent to the clinic</h2><table border='1' cellpadding='4'>"
            "<tr><th>event</th><th>type</th><th>session</th><th>amount</th><th></th></tr>"
            f"{''.join(rows)}</table><h2>Refunds taken</h2><ul id='refunds'>{refunds or '<li>none</li>'}</ul>"
            "</body></html>"
        )
        return Response(page, content_type="text/html")


class Command(BaseCommand):
    help = "Serve the demo fake Stripe (make run only: DEBUG on and no STRIPE_SECRET_KEY)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "STRIPE_DEMO", False):
            self.stdout.write("No demo fake Stripe: card payments use the Stripe keys set (or none).")
            self.stdout.flush()
            signal.pause()  # honcho stops every process when one ends
            return
        from werkzeug.serving import make_server

        port = settings.STRIPE_DEMO_PORT  # type: ignore[misc]  # the local settings' only
        fake = DemoStripe(
            f"http://127.0.0.1:{port}",
            webhook_url=settings.SITE_URL + reverse("billing:stripe_webhook"),
            expire_on_time=True,
        )
        fake.payloads = []
        server = make_server("127.0.0.1", port, fake.wsgi, threaded=True)
        self.stdout.write(
            f"Demo fake Stripe (no card is charged, nothing leaves this machine) on {fake.base_url}, "
            f"webhooks to {fake.webhook_url}; its events and refunds: {fake.base_url}/"
        )
        self.stdout.flush()
        server.serve_forever()
