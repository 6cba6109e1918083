"""A DEMO FAKE of Stripe's API and hosted Checkout page, on loopback only: for `make run` (the
Procfile's `stripe` process, `manage.py demo_stripe`) and for the tests (tests/billing/fake_stripe.py
serves the same class with pytest-httpserver). Nothing here reaches Stripe or charges a card.

The real `stripe` library, through billing's StripeGateway, talks to it when STRIPE_API_BASE points
here. It answers the calls the gateway makes — Checkout Sessions (create, retrieve), Refunds,
PaymentIntents (off-session), PaymentMethods (retrieve, detach) — with Stripe's JSON shapes, honours
Idempotency-Key the way Stripe does (the same key gets the first answer again), and serves a hosted
page whose "Pay" marks the session paid, sends the signed `checkout.session.completed` webhook to
the app (when `webhook_url` is set) and redirects to the session's success URL. Events are signed
the way Stripe signs them: `t=<ts>,v1=HMAC-SHA256(secret, "<ts>.<payload>")`.

Failures on demand (tests): `fail_next(status)` answers the next API call with that HTTP status;
`stall_next(seconds)` answers it only after a delay (the gateway's time-out); `declining` cards
refuse off-session charges (the setup page's second button saves such a card). A detached card
cannot be detached again, as at Stripe. `expire_on_time` (the demo) ends a session past its
`expires_at` when it is next read, as Stripe expires an abandoned Checkout."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import html
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from werkzeug import Request, Response

# The demo's and the tests' keys: they open nothing but this fake.
WEBHOOK_SECRET = "whsec_test_fake_stripe"
SECRET_KEY = "sk_test_fake_stripe"
DECLINING_CARD = "pm_card_chargeDeclined"  # Stripe's test card that saves but declines charges


def sign(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    v1 = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={v1}"


def _nested(form: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (a[b][0][c]=1) back into a dict (lists as dicts keyed "0", "1")."""
    out: dict[str, Any] = {}
    for key, value in form:
        parts = key.replace("]", "").split("[")
        here = out
        for part in parts[:-1]:
            here = here.setdefault(part, {})
        here[parts[-1]] = value
    return out


def _error(status: int, message: str, kind: str = "invalid_request_error", **extra: Any) -> Response:
    body = {"error": {"type": kind, "message": message, **extra}}
    return Response(json.dumps(body), status=status, content_type="application/json")


def _missing(kind: str, oid: str) -> Response:
    return _error(404, f"No such {kind}: '{oid}'", code="resource_missing")


def _json(body: dict) -> Response:
    return Response(json.dumps(body), content_type="application/json")


@dataclass
class FakeStripe:
    base_url: str  # where the fake is served, e.g. http://127.0.0.1:18000 (no trailing slash)
    webhook_url: str = ""
    expire_on_time: bool = False
    sessions: dict[str, dict] = field(default_factory=dict)
    intents: dict[str, dict] = field(default_factory=dict)
    refunds: list[dict] = field(default_factory=list)
    payment_methods: dict[str, dict] = field(default_factory=dict)  # saved cards, by id
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, path) of every API call
    events_sent: list[str] = field(default_factory=list)
    declining: set[str] = field(default_factory=set)  # payment method ids that decline
    _idempotent: dict[str, tuple[int, str]] = field(default_factory=dict)
    _fail: list[int] = field(default_factory=list)
    _stall: list[float] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _lock: Any = field(default_factory=threading.Lock)

    def handle(self, request: Request) -> Response:
        """Every request to the fake: Stripe's API under /v1/, the hosted page under /pay/."""
        method, path = request.method, request.path
        routes: list[tuple[bool, Callable[[Request], Response]]] = [
            (method == "POST" and path == "/v1/checkout/sessions", self._api(self._session_create)),
            (method == "GET" and path.startswith("/v1/checkout/sessions/"), self._api(self._session_get)),
            (method == "POST" and path == "/v1/refunds", self._api(self._refund_create)),
            (method == "POST" and path == "/v1/payment_intents", self._api(self._intent_create)),
            (method == "POST" and path.startswith("/v1/payment_methods/"), self._api(self._method_detach)),
            (method == "GET" and path.startswith("/v1/payment_methods/"), self._api(self._method_get)),
            (method == "GET" and path.startswith("/pay/"), self._page),
            (method == "POST" and path.startswith("/pay/"), self._page_pay),
        ]
        for matches, handler in routes:
            if matches:
                return handler(request)
        return _error(404, f"Unrecognized request URL ({method}: {path}).")

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.handle(Request(environ))(environ, start_response)

    @property
    def api_base(self) -> str:
        return self.base_url

    # Failures on demand ------------------------------------------------------------------------
    def fail_next(self, status: int = 500) -> None:
        self._fail.append(status)

    def stall_next(self, seconds: float) -> None:
        self._stall.append(seconds)

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}_test_{next(self._ids):06d}"

    def _api(self, handler):
        def wrapped(request: Request) -> Response:
            with self._lock:
                self.calls.append((request.method, request.path))
                stall = self._stall.pop(0) if self._stall else 0.0
                fail = self._fail.pop(0) if self._fail else 0
            if stall:
                time.sleep(stall)
            if fail:
                return _error(fail, "Something went wrong on Stripe's end.", kind="api_error")
            if not request.headers.get("Authorization", "").endswith(SECRET_KEY):
                return _error(401, "Invalid API Key provided.")
            key = request.headers.get("Idempotency-Key", "")
            if request.method == "POST" and key:
                with self._lock:
                    if key in self._idempotent:
                        status, body = self._idempotent[key]
                        return Response(body, status=status, content_type="application/json")
            with self._lock:
                response = handler(request)
                if request.method == "POST" and key and response.status_code < 500:
                    self._idempotent[key] = (response.status_code, response.get_data(as_text=True))
            return response

        return wrapped

    # The API -----------------------------------------------------------------------------------
    def _session_create(self, request: Request) -> Response:
        data = _nested(parse_qsl(request.get_data(as_text=True)))
        sid = self._next_id("cs")
        amount = 0
        for item in (data.get("line_items") or {}).values():
            amount += int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1))
        currency = ((data.get("line_items") or {}).get("0", {}).get("price_data", {}).get("currency")) or data.get(
            "currency", "usd"
        )
        session = {
            "id": sid,
            "object": "checkout.session",
            "mode": data.get("mode", "payment"),
            "url": f"{self.base_url}/pay/{sid}",
            "status": "open",
            "payment_status": "unpaid" if data.get("mode", "payment") == "payment" else "no_payment_required",
            "amount_total": amount,
            "currency": currency,
            "client_reference_id": data.get("client_reference_id"),
            "metadata": data.get("metadata", {}),
            "success_url": data.get("success_url", ""),
            "cancel_url": data.get("cancel_url", ""),
            "expires_at": int(data.get("expires_at", 0)),
            "customer_email": data.get("customer_email"),
            "customer": None,
            "payment_intent": None,
            "setup_intent": None,
        }
        self.sessions[sid] = session
        return Response(json.dumps(session), content_type="application/json")

    def _session_get(self, request: Request) -> Response:
        sid = request.path.rsplit("/", 1)[-1]
        session = self.sessions.get(sid)
        if session is None:
            return _missing("checkout.session", sid)
        self._expire_if_due(session)
        body = dict(session)
        if request.args.get("expand[0]") == "setup_intent" and session.get("setup_intent"):
            body["setup_intent"] = {"id": session["setup_intent"], "payment_method": session["_card"]}
        body.pop("_card", None)
        return Response(json.dumps(body), content_type="application/json")

    def _refund_create(self, request: Request) -> Response:
        data = _nested(parse_qsl(request.get_data(as_text=True)))
        intent = self.intents.get(data.get("payment_intent", ""))
        if intent is None:
            return _error(404, "No such payment_intent.", code="resource_missing")
        amount = int(data.get("amount") or intent["amount"])
        refunded = sum(r["amount"] for r in self.refunds if r["payment_intent"] == intent["id"])
        if amount + refunded > intent["amount"]:
            return _error(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({intent['amount'] - refunded})",
                code="amount_too_large",
            )
        refund = {
            "id": self._next_id("re"),
            "object": "refund",
            "amount": amount,
            "payment_intent": intent["id"],
            "status": "succeeded",
            "currency": intent["currency"],
        }
        self.refunds.append(refund)
        return Response(json.dumps(refund), content_type="application/json")

    def _intent_create(self, request: Request) -> Response:
        data = _nested(parse_qsl(request.get_data(as_text=True)))
        pid = self._next_id("pi")
        intent = {
            "id": pid,
            "object": "payment_intent",
            "amount": int(data["amount"]),
            "currency": data.get("currency", "usd"),
            "customer": data.get("customer"),
            "payment_method": data.get("payment_method"),
            "status": "succeeded",
        }
        if data.get("payment_method") in self.declining:
            intent["status"] = "requires_payment_method"
            self.intents[pid] = intent
            return _error(
                402,
                "Your card was declined.",
                kind="card_error",
                code="card_declined",
                decline_code="insufficient_funds",
                payment_intent=intent,
            )
        self.intents[pid] = intent
        return Response(json.dumps(intent), content_type="application/json")

    def _method_detach(self, request: Request) -> Response:
        """POST /v1/payment_methods/<id>/detach: as Stripe, a card no longer attached is refused."""
        pmid = request.path.split("/")[3]
        method = self.payment_methods.get(pmid)
        if method is None:
            return _missing("PaymentMethod", pmid)
        if not method["customer"]:
            return _error(
                400,
                "The payment method you provided is not attached to a customer so detachment is impossible.",
                code="payment_method_unexpected_state",
            )
        method["customer"] = None
        return _json(method)

    def _method_get(self, request: Request) -> Response:
        pmid = request.path.rsplit("/", 1)[-1]
        method = self.payment_methods.get(pmid)
        return _missing("PaymentMethod", pmid) if method is None else _json(method)

    def _expire_if_due(self, session: dict) -> None:
        """As Stripe: an open session past its `expires_at` is expired (demo; the tests set it)."""
        if self.expire_on_time and session["status"] == "open" and 0 < session["expires_at"] < time.time():
            session["status"] = "expired"

    # The hosted page -----------------------------------------------------------------------------
    def _hosted(self, request: Request) -> dict | None:
        """The hosted page's session (expired if due), or None."""
        session = self.sessions.get(request.path.rsplit("/", 1)[-1])
        if session is not None:
            with self._lock:
                self._expire_if_due(session)
        return session

    def _page(self, request: Request) -> Response:
        session = self._hosted(request)
        if session is None:
            return Response("no such page", status=404)
        sid = session["id"]
        setup = session["mode"] == "setup"
        if session["status"] != "open":
            form = f"<p>This page is {session['status']}: nothing more can be paid here.</p>"
        else:
            declining = (
                f"<button type='submit' name='card' value='{DECLINING_CARD}'>Save a card that declines charges</button>"
                if setup
                else ""
            )
            form = (
                f"<form method='post' action='/pay/{sid}'><button type='submit'>Pay</button> {declining}</form>"
                f"<p><a href='{html.escape(session['cancel_url'])}'>Back to the clinic (pay nothing)</a></p>"
            )
        what = "Save a card for later (nothing is charged now)" if setup else "Amount to pay, in minor units"
        page = (
            "<!doctype html><html lang='en'><head><meta name='viewport' content='width=device-width'>"
            "<title>Fake Stripe Checkout</title></head><body style='font-family:sans-serif;max-width:36rem'>"
            "<p style='background:#fff3cd;padding:.5rem'><strong>Demo fake of Stripe's hosted page</strong>, "
            "served by this computer (127.0.0.1). No card is charged and nothing leaves this machine. "
            "A real clinic sets its own Stripe keys (README: STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET).</p>"
            f"<h1>Fake Stripe Checkout</h1><p>{what}:</p>"
            f"<p id='amount'>{session['amount_total']} {session['currency']}</p>{form}</body></html>"
        )
        return Response(page, content_type="text/html")

    def _page_pay(self, request: Request) -> Response:
        session = self._hosted(request)
        if session is None:
            return Response("no such page", status=404)
        sid = session["id"]
        if session["status"] != "open":
            return Response(f"This page is {session['status']}.", status=409)
        payload = self.pay(sid, card=request.form.get("card") or "pm_card_visa")
        if self.webhook_url:
            # A webhook the app did not take: as Stripe, the app asks on the patient's return (and its sweep).
            with contextlib.suppress(urllib.error.URLError, OSError):
                self.deliver(payload)
        success = session["success_url"].replace("{CHECKOUT_SESSION_ID}", sid)
        return Response("", status=303, headers={"Location": success})

    # What a test does ----------------------------------------------------------------------------
    def pay(self, sid: str, *, card: str = "pm_card_visa") -> str:
        """The patient pays on the hosted page: the session is complete and paid; returns the
        `checkout.session.completed` event's payload (not yet sent)."""
        with self._lock:
            session = self.sessions[sid]
            if session["mode"] == "payment" and session["payment_intent"] is None:
                pid = self._next_id("pi")
                self.intents[pid] = {
                    "id": pid,
                    "object": "payment_intent",
                    "amount": session["amount_total"],
                    "currency": session["currency"],
                    "status": "succeeded",
                }
                session["payment_intent"] = pid
                session["payment_status"] = "paid"
            elif session["mode"] == "setup":
                session["setup_intent"] = self._next_id("seti")
                session["customer"] = self._next_id("cus")
                session["_card"] = card
                if card == DECLINING_CARD:
                    self.declining.add(card)
                self.payment_methods[card] = {"id": card, "object": "payment_method", "customer": session["customer"]}
            session["status"] = "complete"
            return self.event("checkout.session.completed", session)

    def expire(self, sid: str) -> str:
        with self._lock:
            self.sessions[sid]["status"] = "expired"
            return self.event("checkout.session.expired", self.sessions[sid])

    def event(self, kind: str, obj: dict) -> str:
        public = {k: v for k, v in obj.items() if not k.startswith("_")}
        event = {
            "id": self._next_id("evt"),
            "object": "event",
            "type": kind,
            "created": int(time.time()),
            "data": {"object": public},
        }
        return json.dumps(event)

    def deliver(self, payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> int:
        """POST a signed event to the app's webhook, as Stripe does."""
        request = urllib.request.Request(
            self.webhook_url,
            data=payload.encode(),
            headers={
                "Content-Type": "application/json",
                "Stripe-Signature": sign(payload, secret=secret, timestamp=timestamp),
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            self.events_sent.append(payload)
            return response.status
