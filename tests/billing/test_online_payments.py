"""Paying online through the real `stripe` library and billing's StripeGateway, pointed at a fake
Stripe API on loopback (tests/billing/fake_stripe.py; no network, no mock of our gateway): the
portal's "Pay now", the signed webhook, the patient's return, replays and races, Stripe failing,
refunds reaching the card."""

import json
import re
import time
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from billing import services
from billing.models import CheckoutAttempt, GatewayEvent, Invoice, Payment, Refund
from billing.services.online import checkout_begin
from notifications.models import Message
from tests.billing.factories import desk_setup, issued_invoice
from tests.billing.fake_stripe import WEBHOOK_SECRET, sign
from tests.factories import PatientFactory
from tests.treatments.factories_portal import issue_link

pytestmark = pytest.mark.django_db
WEBHOOK = "/billing/stripe/webhook/"


@pytest.fixture
def owed(db):
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=15000)
    token = issue_link(desk.patient, now=timezone.now())
    return desk, invoice, token


def _pay_now(client, token, invoice, extra=None):
    url = f"/billing/portal/{token}/bills/{invoice.pk}/pay/"
    page = client.get(url)
    key = re.search(r'name="key" value="([0-9a-f-]+)"', page.content.decode()).group(1)
    return client.post(url, {"key": key, **(extra or {})}), key


def _post_event(client, payload, *, secret=WEBHOOK_SECRET, timestamp=None):
    return client.post(
        WEBHOOK,
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload, secret=secret, timestamp=timestamp),
    )


def test_pay_now_makes_a_hosted_page_for_the_balance_and_the_signed_webhook_records_one_payment(
    client, fake_stripe, owed
):
    desk, invoice, token = owed
    response, key = _pay_now(client, token, invoice)
    assert response.status_code == 200
    session = next(iter(fake_stripe.sessions.values()))
    assert session["amount_total"] == 15000 and session["currency"] == "usd"
    assert session["client_reference_id"] == key
    assert session["url"] in response.content.decode()  # the "Continue to the card page" link
    assert Payment.objects.count() == 0  # nothing recorded before Stripe says paid

    assert _post_event(client, fake_stripe.pay(session["id"])).status_code == 200
    payment = Payment.objects.get()
    assert (payment.method, payment.amount, payment.reference) == ("card_online", 15000, session["payment_intent"])
    assert str(payment.attempt_key) == key
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance) == ("paid", 0)
    assert Message.objects.filter(patient=desk.patient, kind="paid").count() == 1  # the receipt, through the outbox

    # The patient's return after the webhook: the same one payment, shown as paid.
    page = client.get(f"/billing/portal/{token}/paid/{key}/")
    assert "we received $150.00" in page.content.decode()
    assert Payment.objects.count() == 1


def test_a_tampered_amount_in_the_form_changes_nothing_the_server_amount_stands(client, fake_stripe, owed):
    _desk, invoice, token = owed
    _pay_now(client, token, invoice, {"amount": "1.00", "invoice": str(invoice.pk + 1)})
    session = next(iter(fake_stripe.sessions.values()))
    assert session["amount_total"] == 15000


def test_another_patients_invoice_through_a_portal_link_is_a_404(client, fake_stripe, owed):
    _desk, invoice, _token = owed
    stranger = issue_link(PatientFactory(), now=timezone.now())
    url = f"/billing/portal/{stranger}/bills/{invoice.pk}/pay/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"key": str(uuid.uuid4())}).status_code == 404
    assert fake_stripe.sessions == {}
    # ... and the service refuses it too, whoever calls it.
    with pytest.raises(services.BillingError):
        checkout_begin(
            patient_id=PatientFactory().pk,
            invoice_id=invoice.pk,
            key=uuid.uuid4(),
            success_url="https://x.invalid/",
            cancel_url="https://x.invalid/",
            now=timezone.now(),
        )


def test_the_return_page_alone_records_the_payment_when_the_webhook_never_comes(client, fake_stripe, owed):
    _desk, invoice, token = owed
    _response, key = _pay_now(client, token, invoice)
    sid = next(iter(fake_stripe.sessions))
    fake_stripe.pay(sid)  # paid at Stripe; its webhook lost
    page = client.get(f"/billing/portal/{token}/paid/{key}/")
    assert "we received $150.00" in page.content.decode()
    assert ("GET", f"/v1/checkout/sessions/{sid}") in fake_stripe.calls  # Stripe was asked, not the URL
    assert Payment.objects.count() == 1
    # The webhook arriving late (and twice) changes nothing.
    event = fake_stripe.event("checkout.session.completed", fake_stripe.sessions[sid])
    assert _post_event(client, event).status_code == 200
    assert _post_event(client, event).content == b"replay"
    assert Payment.objects.count() == 1


def test_the_same_event_twice_has_one_effect(client, fake_stripe, owed):
    _desk, invoice, token = owed
    _pay_now(client, token, invoice)
    event = fake_stripe.pay(next(iter(fake_stripe.sessions)))
    assert _post_event(client, event).content == b"paid"
    assert _post_event(client, event).content == b"replay"
    assert Payment.objects.count() == 1
    assert GatewayEvent.objects.count() == 1


def test_two_events_for_one_payment_in_any_order_record_it_once(client, fake_stripe, owed):
    _desk, invoice, token = owed
    _pay_now(client, token, invoice)
    sid = next(iter(fake_stripe.sessions))
    completed = fake_stripe.pay(sid)
    async_ok = fake_stripe.event("checkout.session.async_payment_succeeded", fake_stripe.sessions[sid])
    expired = fake_stripe.event("checkout.session.expired", {**fake_stripe.sessions[sid], "status": "expired"})
    for payload in (async_ok, expired, completed):
        assert _post_event(client, payload).status_code == 200
    assert Payment.objects.count() == 1
    assert CheckoutAttempt.objects.get().status == "paid"  # the late "expired" did not undo it


def test_a_bad_signature_or_an_old_timestamp_is_refused_with_400_and_does_nothing(client, fake_stripe, owed):
    _desk, invoice, token = owed
    _pay_now(client, token, invoice)
    event = fake_stripe.pay(next(iter(fake_stripe.sessions)))
    assert _post_event(client, event, secret="whsec_someone_else").status_code == 400
    assert _post_event(client, event, timestamp=int(time.time()) - 301).status_code == 400
    tampered = event.replace('"amount_total": 15000', '"amount_total": 1')
    response = client.post(WEBHOOK, data=tampered, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(event))
    assert response.status_code == 400
    assert client.post(WEBHOOK, data=event, content_type="application/json").status_code == 400  # unsigned
    assert Payment.objects.count() == 0 and GatewayEvent.objects.count() == 0
    # Within the tolerance it is taken.
    assert _post_event(client, event, timestamp=int(time.time()) - 290).status_code == 200
    assert Payment.objects.count() == 1


def test_the_webhook_is_public_csrf_exempt_no_store_and_post_only(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    assert client.get(WEBHOOK).status_code == 405
    payload = json.dumps({"id": "evt_x", "object": "event", "type": "customer.created", "data": {"object": {}}})
    response = _post_event(client, payload)  # the test client enforces no CSRF token; neither does the view
    assert response.status_code == 200 and response.content == b"ignored"
    assert "no-store" in response["Cache-Control"]


def test_stripe_answering_500_tells_the_patient_records_nothing_and_a_retry_works(client, fake_stripe, owed):
    _desk, invoice, token = owed
    fake_stripe.fail_next(500)
    response, _key = _pay_now(client, token, invoice)
    assert response.status_code == 400
    assert "Nothing was charged" in response.content.decode()
    assert fake_stripe.sessions == {} and Payment.objects.count() == 0
    response, _key = _pay_now(client, token, invoice)
    assert response.status_code == 200 and len(fake_stripe.sessions) == 1


def test_stripe_timing_out_tells_the_patient_records_nothing_and_a_retry_works(client, fake_stripe, owed):
    _desk, invoice, token = owed
    fake_stripe.stall_next(1.5)  # the gateway gives up after 1 s in these tests
    response, _key = _pay_now(client, token, invoice)
    assert response.status_code == 400
    assert "did not answer in time" in response.content.decode()
    assert Payment.objects.count() == 0
    time.sleep(1)  # the fake answers one call at a time: let the stalled one finish
    response, _key = _pay_now(client, token, invoice)
    assert response.status_code == 200
    assert CheckoutAttempt.objects.filter(status="open").count() == 1


def test_a_double_click_on_pay_now_makes_one_hosted_page(client, fake_stripe, owed):
    _desk, invoice, token = owed
    url = f"/billing/portal/{token}/bills/{invoice.pk}/pay/"
    key = str(uuid.uuid4())
    first = client.post(url, {"key": key})
    second = client.post(url, {"key": key})
    assert first.status_code == second.status_code == 200
    assert len(fake_stripe.sessions) == 1 and CheckoutAttempt.objects.count() == 1


def _void(invoice, admin_user):
    services.invoice_void(
        invoice_id=invoice.pk,
        version=None,
        reason="Booked in error",
        attempt_key=uuid.uuid4(),
        by=admin_user,
        now=timezone.now(),
    )


def _paid_online(client, fake_stripe, owed):
    desk, invoice, token = owed
    _pay_now(client, token, invoice)
    _post_event(client, fake_stripe.pay(next(iter(fake_stripe.sessions))))
    return desk, Invoice.objects.get(pk=invoice.pk), Payment.objects.get()


def test_a_refund_at_the_desk_reaches_the_card_once_and_is_recorded_when_stripe_confirms(
    client, fake_stripe, owed, admin_user
):
    desk, invoice, payment = _paid_online(client, fake_stripe, owed)
    _void(invoice, admin_user)
    attempt = uuid.uuid4()
    for _click in range(2):  # a double click: one refund at Stripe, one in the ledger
        services.refund_issue(
            payment_id=payment.pk,
            amount=15000,
            reason="Booked in error",
            attempt_key=attempt,
            invoice_id=invoice.pk,
            by=admin_user,
            now=timezone.now(),
        )
    assert len(fake_stripe.refunds) == 1
    assert fake_stripe.refunds[0]["payment_intent"] == payment.reference
    refund = Refund.objects.get()
    assert refund.reference == fake_stripe.refunds[0]["id"]


def test_a_refund_stripe_refuses_is_shown_and_nothing_is_recorded(client, fake_stripe, owed, admin_user):
    desk, invoice, payment = _paid_online(client, fake_stripe, owed)
    _void(invoice, admin_user)
    fake_stripe.fail_next(500)
    with pytest.raises(services.BillingError, match="card gateway refused the refund"):
        services.refund_issue(
            payment_id=payment.pk,
            amount=15000,
            reason="Booked in error",
            attempt_key=uuid.uuid4(),
            invoice_id=invoice.pk,
            by=admin_user,
            now=timezone.now(),
        )
    assert Refund.objects.count() == 0 and fake_stripe.refunds == []


def test_a_refund_above_what_was_paid_is_refused_before_stripe_is_asked(client, fake_stripe, owed, admin_user):
    desk, invoice, payment = _paid_online(client, fake_stripe, owed)
    _void(invoice, admin_user)
    with pytest.raises(services.BillingError, match="more than remains unrefunded"):
        services.refund_issue(
            payment_id=payment.pk,
            amount=15001,
            reason="Too much",
            attempt_key=uuid.uuid4(),
            invoice_id=invoice.pk,
            by=admin_user,
            now=timezone.now(),
        )
    assert ("POST", "/v1/refunds") not in fake_stripe.calls and Refund.objects.count() == 0


def test_stripe_itself_refuses_a_refund_above_what_the_card_paid(fake_stripe, owed):
    """The fake keeps Stripe's own rule, so the gateway's handling of that answer is tested too."""
    from billing.gateway import GatewayError, card_gateway

    fake_stripe.intents["pi_test_x"] = {"id": "pi_test_x", "amount": 500, "currency": "usd"}
    with pytest.raises(GatewayError):
        card_gateway().refund(payment_reference="pi_test_x", amount=501, currency="USD", idempotency_key=uuid.uuid4())


def test_refunds_need_the_clinic_admin(client, fake_stripe, owed, desk_user):
    desk, invoice, payment = _paid_online(client, fake_stripe, owed)
    with pytest.raises(PermissionDenied):
        services.refund_issue(
            payment_id=payment.pk, amount=1, reason="x", attempt_key=uuid.uuid4(), by=desk_user, now=timezone.now()
        )


def test_without_a_gateway_the_portal_offers_no_card_payment(client, owed):
    _desk, invoice, token = owed
    page = client.get(f"/billing/portal/{token}/bills/{invoice.pk}/pay/")
    assert "not available" in page.content.decode()
    assert (
        client.post(f"/billing/portal/{token}/bills/{invoice.pk}/pay/", {"key": str(uuid.uuid4())}).status_code == 400
    )
    assert CheckoutAttempt.objects.count() == 0


def test_the_portal_bills_page_lists_what_is_owed_with_a_fixed_number_of_queries(
    client, fake_stripe, owed, django_assert_max_num_queries
):
    desk, invoice, token = owed
    for amount in (1000, 2000, 3000):
        issued_invoice(desk, amount=amount)
    with django_assert_max_num_queries(12):
        page = client.get(f"/billing/portal/{token}/bills/")
    text = page.content.decode()
    assert page.status_code == 200 and text.count("Pay now") == 4
    assert "no-store" in page["Cache-Control"]
    home = client.get(f"/portal/{token}/")
    assert f"/billing/portal/{token}/bills/" in home.content.decode()


def test_the_pay_page_and_the_card_page_have_a_query_ceiling(client, fake_stripe, owed, django_assert_max_num_queries):
    _desk, invoice, token = owed
    with django_assert_max_num_queries(12):
        assert client.get(f"/billing/portal/{token}/bills/{invoice.pk}/pay/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/billing/portal/{token}/card/").status_code == 200
