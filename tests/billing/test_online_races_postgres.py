"""Online card payments racing on PostgreSQL (real concurrent connections): the webhook, its
retry and the patient's return all learning of one paid checkout at once record ONE payment."""

import uuid

import pytest
from django.utils import timezone

from billing.gateway import card_gateway
from billing.models import Allocation, CheckoutAttempt, GatewayEvent, Invoice, Payment
from billing.services.online import checkout_begin
from billing.services.online_settle import checkout_refresh, checkout_settle, gateway_event_take
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


def _racing(calls):
    pending = list(calls)

    def one():
        return pending.pop()()

    outcomes = race(len(calls), one)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes


def test_a_package_paid_online_with_the_webhook_and_the_return_racing_is_sold_once(fake_stripe):
    from billing.models import Package
    from billing.services.online import package_checkout_begin
    from tests.billing.factories_series import PACKAGE, SOLD, knee_series

    setup = knee_series()
    attempt = package_checkout_begin(
        patient_id=setup.patient.pk,
        series_id=setup.series.pk,
        key=uuid.uuid4(),
        success_url="https://clinic.invalid/done/",
        cancel_url="https://clinic.invalid/back/",
        now=SOLD,
    )
    fake_stripe.pay(attempt.checkout_id)
    hosted = card_gateway().retrieve_checkout(checkout_id=attempt.checkout_id)
    _racing(
        [
            lambda: gateway_event_take(event_id="evt_1", kind="checkout.session.completed", hosted=hosted, now=SOLD),
            lambda: gateway_event_take(event_id="evt_1", kind="checkout.session.completed", hosted=hosted, now=SOLD),
            lambda: checkout_refresh(attempt_id=attempt.pk, now=SOLD),
            lambda: checkout_settle(hosted=hosted, now=SOLD),
        ]
        * 2
    )
    package = Package.objects.get()
    assert Payment.objects.count() == 1 and Invoice.objects.filter(kind="package").count() == 1
    assert (package.invoice.status, Allocation.objects.get().amount) == ("paid", PACKAGE)


def test_a_saved_card_with_the_webhook_and_the_return_racing_is_kept_once(fake_stripe):
    from billing.models import SavedCard
    from billing.services.cards import card_setup_begin, late_cancel_policy_text, policy_version
    from tests.billing.factories_series import knee_series
    from tests.billing.test_missed_visits import policy

    policy()
    setup = knee_series()
    attempt = card_setup_begin(
        patient_id=setup.patient.pk,
        location_id=setup.location.pk,
        key=uuid.uuid4(),
        agreed=True,
        version=policy_version(late_cancel_policy_text()),
        success_url="https://clinic.invalid/done/",
        cancel_url="https://clinic.invalid/back/",
        now=timezone.now(),
    )
    fake_stripe.pay(attempt.checkout_id)
    event_view = card_gateway().retrieve_checkout(checkout_id=attempt.checkout_id)
    _racing(
        [
            lambda: gateway_event_take(
                event_id="evt_1", kind="checkout.session.completed", hosted=event_view, now=timezone.now()
            ),
            lambda: gateway_event_take(
                event_id="evt_1", kind="checkout.session.completed", hosted=event_view, now=timezone.now()
            ),
            lambda: checkout_refresh(attempt_id=attempt.pk, now=timezone.now()),
        ]
        * 2
    )
    assert SavedCard.objects.count() == 1 and GatewayEvent.objects.count() == 1
