"""A series package bought by card from the portal's money page (issue 23, item 1), through the real
`stripe` library and billing's StripeGateway pointed at the fake Stripe (tests/billing/fake_stripe.py;
no mock of our gateway): the amount is the desk's sale figure (package fee less a deposit already
invoiced), the package is sold only when Stripe says paid — by the webhook or the patient's return,
whichever comes first, once."""

import re
import uuid

import pytest
import time_machine
from django.utils import timezone

from billing.models import CheckoutAttempt, DepositPolicy, GatewayEvent, Invoice, Package, Payment
from billing.services import BillingError
from billing.services.online import package_checkout_begin
from billing.services.packages import redemption_make
from notifications.models import Message
from tests.billing.factories_series import PACKAGE, SOLD, fees, knee_series, sell
from tests.billing.fake_stripe import sign
from tests.factories import PatientFactory, protocol
from tests.treatments.factories_portal import issue_link
from treatments.models import Appointment

pytestmark = pytest.mark.django_db
WEBHOOK = "/billing/stripe/webhook/"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(SOLD, tick=False):
        yield


@pytest.fixture
def series():
    setup = knee_series()
    return setup, issue_link(setup.patient, now=SOLD, days=3650)


def _buy(client, token, series_id, extra=None):
    url = f"/billing/portal/{token}/series/{series_id}/package/"
    page = client.get(url)
    key = re.search(r'name="key" value="([0-9a-f-]+)"', page.content.decode()).group(1)
    return client.post(url, {"key": key, **(extra or {})}), key


def _post_event(client, payload):
    return client.post(WEBHOOK, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(payload))


def test_the_money_page_offers_the_package_and_the_webhook_sells_it_once(client, fake_stripe, series):
    setup, token = series
    money = client.get(f"/billing/portal/{token}/").content.decode()
    assert "Buy the package — 5 sessions for $600.00" in money
    page = client.get(f"/billing/portal/{token}/series/{setup.series.pk}/package/").content.decode()
    assert "5 sessions for $600.00." in page and "One session on its own costs $150.00." in page
    assert setup.series.protocol.condition_label in page and setup.series.protocol.name not in page
    # A tampered amount in the form is not read: the server's figure stands.
    response, key = _buy(client, token, setup.series.pk, {"amount": "1.00", "series": "999"})
    assert response.status_code == 200
    session = next(iter(fake_stripe.sessions.values()))
    assert session["amount_total"] == PACKAGE and session["client_reference_id"] == key
    assert session["url"] in response.content.decode()
    assert Package.objects.count() == 0 and Payment.objects.count() == 0  # nothing before Stripe says paid

    event = fake_stripe.pay(session["id"])
    assert _post_event(client, event).content == b"paid"
    package = Package.objects.get()
    assert (package.series_id, package.sessions, package.price, package.sold_by) == (setup.series.pk, 5, PACKAGE, None)
    assert (package.invoice.kind, package.invoice.status, package.invoice.balance) == ("package", "paid", 0)
    payment = Payment.objects.get()
    assert (payment.method, payment.amount, payment.reference) == ("card_online", PACKAGE, session["payment_intent"])
    assert str(payment.attempt_key) == key
    assert Message.objects.filter(patient=setup.patient, kind="paid").count() == 1  # the receipt

    # The patient's return after the webhook, and the same event again: one package, one payment.
    paid = client.get(f"/billing/portal/{token}/paid/{key}/").content.decode()
    assert "we received $600.00" in paid and "Your package is bought" in paid
    assert _post_event(client, event).content == b"replay"
    assert (Package.objects.count(), Payment.objects.count(), Invoice.objects.filter(kind="package").count()) == (
        1,
        1,
        1,
    )
    assert GatewayEvent.objects.count() == 1
    # The money page now says how much of it is used, and offers no second package.
    money = client.get(f"/billing/portal/{token}/").content.decode()
    assert "0 of 5 sessions used" in money and "Buy the package" not in money


def test_the_return_page_first_sells_it_and_the_late_webhook_changes_nothing(client, fake_stripe, series):
    setup, token = series
    _response, key = _buy(client, token, setup.series.pk)
    sid = next(iter(fake_stripe.sessions))
    event = fake_stripe.pay(sid)  # paid at Stripe; the webhook comes later
    paid = client.get(f"/billing/portal/{token}/paid/{key}/").content.decode()
    assert "we received $600.00" in paid
    assert ("GET", f"/v1/checkout/sessions/{sid}") in fake_stripe.calls  # Stripe was asked, not the URL
    assert _post_event(client, event).content == b"paid"  # a new event, settling nothing new
    assert Package.objects.count() == 1 and Payment.objects.count() == 1
    assert CheckoutAttempt.objects.get().status == "paid"


def test_a_deposit_already_invoiced_comes_off_as_the_desks_sale_takes_it_off(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    fees()
    DepositPolicy.objects.create(protocol=protocol(), charge="fixed", amount=10000)
    with django_capture_on_commit_callbacks(execute=True):
        setup = knee_series(priced=False)
    token = issue_link(setup.patient, now=SOLD, days=3650)
    page = client.get(f"/billing/portal/{token}/series/{setup.series.pk}/package/").content.decode()
    assert "Your deposit of $100.00 comes off the price." in page and "To pay now: $500.00" in page
    _response, key = _buy(client, token, setup.series.pk)
    session = next(iter(fake_stripe.sessions.values()))
    assert session["amount_total"] == PACKAGE - 10000
    _post_event(client, fake_stripe.pay(session["id"]))
    package = Package.objects.get()
    assert package.deposit_invoice is not None and package.invoice.total == PACKAGE - 10000
    assert package.invoice.status == "paid"  # the card paid exactly what the sale invoiced


def test_stripe_failing_tells_the_patient_records_nothing_and_a_retry_works(client, fake_stripe, series):
    setup, token = series
    fake_stripe.fail_next(500)
    response, _key = _buy(client, token, setup.series.pk)
    assert response.status_code == 400 and "Nothing was charged" in response.content.decode()
    assert CheckoutAttempt.objects.get().status == "failed"
    assert Package.objects.count() == 0 and Payment.objects.count() == 0 and Invoice.objects.count() == 0
    response, _key = _buy(client, token, setup.series.pk)
    assert response.status_code == 200 and len(fake_stripe.sessions) == 1


def test_a_double_press_makes_one_hosted_page(client, fake_stripe, series):
    setup, token = series
    url = f"/billing/portal/{token}/series/{setup.series.pk}/package/"
    key = re.search(r'name="key" value="([0-9a-f-]+)"', client.get(url).content.decode()).group(1)
    client.post(url, {"key": key})
    client.post(url, {"key": key})
    client.post(url, {"key": str(uuid.uuid4())})  # a second tab: the open page again
    assert len(fake_stripe.sessions) == 1 and CheckoutAttempt.objects.count() == 1


def test_a_series_with_an_active_package_has_nothing_to_buy(client, fake_stripe, series, desk_user):
    setup, token = series
    sell(setup, by=desk_user)
    assert "Buy the package" not in client.get(f"/billing/portal/{token}/").content.decode()
    url = f"/billing/portal/{token}/series/{setup.series.pk}/package/"
    assert "already has an active package" in client.get(url).content.decode()  # no button on the page
    response = client.post(url, {"key": str(uuid.uuid4())})
    assert response.status_code == 400 and "already has an active package" in response.content.decode()
    assert fake_stripe.sessions == {} and CheckoutAttempt.objects.count() == 0


def test_the_desk_selling_meanwhile_keeps_the_card_payment_as_credit(client, fake_stripe, series, desk_user):
    setup, token = series
    _response, key = _buy(client, token, setup.series.pk)
    sid = next(iter(fake_stripe.sessions))
    sell(setup, by=desk_user)  # the desk sold it while the patient was on Stripe's page
    _post_event(client, fake_stripe.pay(sid))
    assert Package.objects.count() == 1  # no second package
    payment = Payment.objects.get()
    assert payment.amount == PACKAGE and payment.method == "card_online"  # the card was charged: recorded
    assert not payment.allocations.exists()  # kept as the patient's credit for the desk
    paid = client.get(f"/billing/portal/{token}/paid/{key}/").content.decode()
    assert "kept your payment as credit on your account" in paid and "Your package is bought" not in paid


def test_another_patients_series_through_a_portal_link_is_a_404(client, fake_stripe, series):
    setup, _token = series
    stranger = issue_link(PatientFactory(), now=SOLD, days=3650)
    url = f"/billing/portal/{stranger}/series/{setup.series.pk}/package/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"key": str(uuid.uuid4())}).status_code == 404
    assert client.get(f"/billing/portal/not-a-token/series/{setup.series.pk}/package/").status_code == 404
    assert fake_stripe.sessions == {}
    with pytest.raises(BillingError, match="not yours"):
        package_checkout_begin(
            patient_id=PatientFactory().pk,
            series_id=setup.series.pk,
            key=uuid.uuid4(),
            success_url="https://x.invalid/",
            cancel_url="https://x.invalid/",
            now=timezone.now(),
        )


def test_a_bad_key_in_the_form_is_refused_with_a_message(client, fake_stripe, series):
    setup, token = series
    response = client.post(f"/billing/portal/{token}/series/{setup.series.pk}/package/", {"key": "nonsense"})
    assert response.status_code == 400 and "The form was incomplete" in response.content.decode()
    assert fake_stripe.sessions == {} and CheckoutAttempt.objects.count() == 0


def test_the_package_page_and_the_money_page_read_fixed_queries(
    client, fake_stripe, series, django_assert_max_num_queries, desk_user
):
    setup, token = series
    knee_series(priced=False)  # a second series of another patient: not on this page
    url = f"/billing/portal/{token}/series/{setup.series.pk}/package/"
    client.get(url)
    # the link, its touch, the series, fees (package, visit), active package, deposit, audit, settings
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    Appointment.objects.filter(pk=setup.sessions[0].pk).update(status=Appointment.Status.COMPLETED)
    package = sell(setup, by=desk_user)
    redemption_make(appointment_id=setup.sessions[0].pk, kind="attended", by=desk_user, now=SOLD)
    assert package.pk
    client.get(f"/billing/portal/{token}/")
    # the money page's 14 and the offers (protocol fees, visit fees, active packages, deposits), cards
    with django_assert_max_num_queries(19):
        assert "1 of 5 sessions used" in client.get(f"/billing/portal/{token}/").content.decode()
