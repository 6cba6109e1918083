"""Online card payments racing on PostgreSQL (real concurrent connections): the webhook, its
retry and the patient's return all learning of one paid checkout at once record ONE payment."""

import uuid

import pytest
from django.utils import timezone

from billing.gateway import card_gateway
from billing.models import Allocation, CheckoutAttempt, GatewayEvent, Invoice, Payment
from billing.services.online import checkout_begin, checkout_refresh, checkout_settle, gateway_event_take
from tests.billing.factories import desk_setup, issued_invoice
from tests.concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_webhook_its_retry_and_the_return_page_racing_record_one_payment(fake_stripe):
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=15000)
    attempt = checkout_begin(
        patient_id=desk.patient.pk,
        invoice_id=invoice.pk,
        key=uuid.uuid4(),
        success_url="https://clinic.invalid/done/",
        cancel_url="https://clinic.invalid/back/",
        now=timezone.now(),
    )
    fake_stripe.pay(attempt.checkout_id)
    hosted = card_gateway().retrieve_checkout(checkout_id=attempt.checkout_id)
    calls = [
        lambda: gateway_event_take(
            event_id="evt_1", kind="checkout.session.completed", hosted=hosted, now=timezone.now()
        ),
        lambda: gateway_event_take(
            event_id="evt_1", kind="checkout.session.completed", hosted=hosted, now=timezone.now()
        ),
        lambda: gateway_event_take(
            event_id="evt_2", kind="checkout.session.async_payment_succeeded", hosted=hosted, now=timezone.now()
        ),
        lambda: checkout_settle(hosted=hosted, now=timezone.now()),
        lambda: checkout_refresh(attempt_id=attempt.pk, now=timezone.now()),
    ] * 2
    pending = list(calls)

    def one():
        return pending.pop()()

    outcomes = race(len(calls), one)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert Payment.objects.count() == 1
    assert Allocation.objects.get().amount == 15000
    assert Invoice.objects.get(pk=invoice.pk).balance == 0
    assert CheckoutAttempt.objects.get().status == "paid"
    assert GatewayEvent.objects.count() == 2
