"""`make run` can take a card payment with no internet: the Procfile starts the DEMO FAKE Stripe
(`manage.py demo_stripe`, billing/demo_stripe.py) on loopback at the web port + 10000, the local
settings point the real `stripe` library at it when DEBUG is on and the clinic set no Stripe key of
its own, and its hosted page "pays" and sends the signed webhook to SITE_URL. The demo clinic's
consultation asks a deposit at /book/ and has a late-cancel fee (the card step)."""

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
import stripe
from django.core.management import call_command

from billing.demo_stripe import SECRET_KEY, WEBHOOK_SECRET
from billing.gateway import HostedPage
from billing.stripe_gateway import StripeGateway

ROOT = Path(__file__).resolve().parents[2]


def _local_settings(**env: str) -> dict[str, str]:
    """The local settings' Stripe values, read in a fresh process with `env`."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "WEB_PORT", "DEBUG", "SITE_URL"))}
    environ.update(env, DJANGO_SETTINGS_MODULE="clinic.settings.local")
    code = (
        "from django.conf import settings as s;"
        "print(s.STRIPE_SECRET_KEY, s.STRIPE_WEBHOOK_SECRET, s.STRIPE_API_BASE or '-', s.STRIPE_DEMO, sep='|')"
    )
    out = (
        subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60, check=True
        )
        .stdout.strip()
        .split("|")
    )
    return dict(zip(["key", "webhook", "base", "demo"], out, strict=True))


def test_make_run_points_stripe_at_the_demo_fake_on_the_web_port_plus_10000():
    demo = _local_settings(DEBUG="1", WEB_PORT="8123", SITE_URL="http://127.0.0.1:8123")
    assert demo == {"key": SECRET_KEY, "webhook": WEBHOOK_SECRET, "base": "http://127.0.0.1:18123", "demo": "True"}
    # Without WEB_PORT (seed_demo, a shell): SITE_URL's port.
    assert _local_settings(DEBUG="1", SITE_URL="http://127.0.0.1:8124")["base"] == "http://127.0.0.1:18124"
    # A clinic's own key: the real Stripe, no fake.
    real = _local_settings(DEBUG="1", STRIPE_SECRET_KEY="sk_test_clinic", STRIPE_WEBHOOK_SECRET="whsec_clinic")
    assert real == {"key": "sk_test_clinic", "webhook": "whsec_clinic", "base": "-", "demo": "False"}
    assert _local_settings(DEBUG="0")["demo"] == "False"
    assert _local_settings(DEBUG="1", STRIPE_DEMO="0") == {"key": "", "webhook": "", "base": "-", "demo": "False"}


def test_the_procfile_starts_the_demo_fake_stripe():
    lines = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert lines["stripe"] == "python manage.py demo_stripe"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo_fake(httpserver):
    """`manage.py demo_stripe` as make run starts it, its webhooks sent to `httpserver` (the app)."""
    web = _free_port()
    while web + 10000 > 65535:
        web = _free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STRIPE_")}
    environ.update(
        DJANGO_SETTINGS_MODULE="clinic.settings.local",
        DEBUG="1",
        WEB_PORT=str(web),
        STRIPE_DEMO_PORT=str(_free_port()),
        SITE_URL=httpserver.url_for("").rstrip("/"),
    )
    base = f"http://127.0.0.1:{environ['STRIPE_DEMO_PORT']}"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "demo_stripe"], cwd=ROOT, env=environ, stdout=subprocess.PIPE, text=True
    )
    try:
        for _ in range(600):  # Django starting on a loaded machine: up to a minute
            try:
                socket.create_connection(("127.0.0.1", int(environ["STRIPE_DEMO_PORT"])), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert "Demo fake Stripe" in process.stdout.read()


def test_the_demo_fake_takes_a_payment_from_the_real_stripe_library_and_sends_the_signed_webhook(demo_fake, httpserver):
    saved = (stripe.api_base, stripe.default_http_client, stripe.max_network_retries)
    received = []
    httpserver.expect_request("/billing/stripe/webhook/", method="POST").respond_with_handler(
        lambda request: received.append(request) or "ok"
    )
    try:
        gateway = StripeGateway(secret_key=SECRET_KEY, api_base=demo_fake, timeout=5)
        page = HostedPage(
            success_url="http://127.0.0.1:9/paid/",
            cancel_url="http://127.0.0.1:9/pay/",
            expires_at=int(time.time()) + 1800,
            attempt_key=uuid.uuid4(),
        )
        hosted = gateway.create_checkout(amount=3000, currency="USD", description="Deposit", page=page)
        assert hosted.url.startswith(f"{demo_fake}/pay/") and (hosted.status, hosted.paid) == ("open", False)
        shown = urllib.request.urlopen(hosted.url, timeout=5).read().decode()
        assert "Demo fake of Stripe's hosted page" in shown and "3000 usd" in shown
        # "Pay": the session is paid, the signed webhook reaches SITE_URL, the patient is sent back.
        no_redirect = urllib.request.build_opener(_NoRedirect)
        answer = no_redirect.open(urllib.request.Request(hosted.url, data=b"", method="POST"), timeout=10)
        assert answer.headers["Location"] == "http://127.0.0.1:9/paid/"
        event = stripe.Webhook.construct_event(
            received[0].get_data(), received[0].headers["Stripe-Signature"], WEBHOOK_SECRET, tolerance=300
        )
        assert event["type"] == "checkout.session.completed"
        paid = gateway.retrieve_checkout(checkout_id=hosted.id)
        assert (paid.paid, paid.amount, paid.attempt_key) == (True, 3000, str(page.attempt_key))
        refund_id = gateway.refund(
            payment_reference=paid.payment_reference, amount=3000, currency="USD", idempotency_key=uuid.uuid4()
        )
        # Its front page, for a person trying the demo: the event, "Send it again", the refund.
        dashboard = urllib.request.urlopen(f"{demo_fake}/", timeout=5).read().decode()
        assert event["id"] in dashboard and "Send it again" in dashboard and refund_id in dashboard
        again = no_redirect.open(urllib.request.Request(f"{demo_fake}/events/0", data=b"", method="POST"), timeout=10)
        assert again.headers["Location"] == "/?sent=0:200"
        replayed = stripe.Webhook.construct_event(
            received[1].get_data(), received[1].headers["Stripe-Signature"], WEBHOOK_SECRET, tolerance=300
        )
        assert replayed["id"] == event["id"]  # Stripe's retry: the same event, signed afresh
    finally:
        stripe.api_base, stripe.default_http_client, stripe.max_network_retries = saved


def test_the_demo_fake_expires_an_abandoned_page_as_stripe_does(demo_fake):
    saved = (stripe.api_base, stripe.default_http_client, stripe.max_network_retries)
    try:
        gateway = StripeGateway(secret_key=SECRET_KEY, api_base=demo_fake, timeout=5)
        page = HostedPage("http://x/ok", "http://x/no", expires_at=int(time.time()) + 1, attempt_key=uuid.uuid4())
        hosted = gateway.create_checkout(amount=100, currency="USD", description="Deposit", page=page)
        time.sleep(1.5)
        assert gateway.retrieve_checkout(checkout_id=hosted.id).status == "expired"
    finally:
        stripe.api_base, stripe.default_http_client, stripe.max_network_retries = saved


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_303(self, req, fp, code, msg, headers):
        return fp


@pytest.mark.django_db
def test_the_demo_consultation_asks_a_deposit_and_has_a_late_cancel_fee_and_the_papers_have_ids():
    import time_machine

    from billing.models import CancellationPolicy, DepositPolicy
    from clinic.models import ClinicSettings, Practitioner

    with time_machine.travel(dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC), tick=False):
        call_command("seed_demo")
    deposit = DepositPolicy.objects.get(appointment_type__slug="consultation")
    assert (deposit.charge, deposit.amount) == ("fixed", 3000)
    assert CancellationPolicy.objects.get(appointment_type__slug="consultation").amount == 4000
    clinic = ClinicSettings.load()
    assert clinic.group_npi and clinic.tax_id
    assert (clinic.online_same_day, clinic.online_min_notice_hours) == (True, 1)  # try it all in one sitting
    assert all(p.npi and p.licence for p in Practitioner.objects.filter(user__username__in=["practitioner", "okafor"]))
