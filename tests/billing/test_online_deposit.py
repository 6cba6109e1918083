"""A deposit at /book/ (issue 23): the clinic's deposit policy for the type (none, a deposit, or
100 % = full prepayment), paid on the fake Stripe's hosted page before the visit is booked; the
hold kept while paying, never released for want of a webhook (Stripe is asked first)."""

import datetime as dt
from urllib.parse import urlencode

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache

from billing.models import CheckoutAttempt, DepositPolicy, Fee, Invoice, Payment
from tests.billing.fake_stripe import sign
from tests.treatments.booking.factories_booking import NOW, SLOT, code_in, consultation, open_online
from treatments.booking.services.confirm import online_paying_release
from treatments.models import Appointment, OnlineBooking
from treatments.scheduling.selectors.availability import availability_for

pytestmark = pytest.mark.django_db
FORM = {
    "first_name": "Nina",
    "last_name": "Berg",
    "date_of_birth": "1980-03-04",
    "phone": "(312) 555-0188",
    "email": "nina@example.com",
    "code_channel": "email",
    "email_consent": "on",
}


@pytest.fixture(autouse=True)
def _clock_and_cache():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield


def _deposit_policy(*, percent_bp: int = 2000):
    kind = consultation()
    Fee.objects.create(
        appointment_type=kind,
        code_system="cpt",
        code="99203",
        description="New patient visit",
        unit_price=20000,
        valid_from=dt.date(2026, 1, 1),
    )
    DepositPolicy.objects.create(appointment_type=kind, charge="percent", percent_bp=percent_bp)


def _book_to_payment(client, location, capture):
    query = {"appointment_type": consultation().pk, "location": location.pk, "practitioner": "any"}
    query["start"] = SLOT.isoformat()
    with capture(execute=True):
        client.post("/book/details/?" + urlencode(query), FORM)
    with capture(execute=True):
        return client.post("/book/verify/", {"code": code_in(mail.outbox[-1].body), "verify": "1"})


def test_a_deposit_is_paid_on_the_hosted_page_and_the_signed_webhook_books_the_visit(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    _practitioner, location, _patient = open_online()
    _deposit_policy()
    response = _book_to_payment(client, location, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response.url == "/book/pay/"
    booking = OnlineBooking.objects.get()
    assert booking.status == "paying" and Appointment.objects.count() == 0
    page = client.get("/book/pay/").content.decode()
    assert "deposit of $40.00" in page
    page = client.post("/book/pay/", {"amount": "0.01"}).content.decode()  # a tampered amount is not read
    session = next(iter(fake_stripe.sessions.values()))
    assert session["amount_total"] == 4000 and session["url"] in page

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/billing/stripe/webhook/",
            data=(event := fake_stripe.pay(session["id"])),
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=sign(event),
        )
    assert answer.content == b"paid"
    booking.refresh_from_db()
    assert booking.status == "booked"
    deposit = Invoice.objects.get(kind="deposit")
    assert (deposit.appointment_id, deposit.total, deposit.status) == (booking.appointment_id, 4000, "paid")
    assert Payment.objects.get().reference == session["payment_intent"]
    # The patient's return: the booking page; nothing recorded twice.
    response = client.get("/book/paid/")
    assert response.status_code == 302 and response.url == "/book/done/"
    assert "You are booked" in client.get("/book/done/").content.decode()
    assert Payment.objects.count() == 1 and Invoice.objects.filter(kind="deposit").count() == 1


def test_a_held_slot_stays_busy_while_paying_and_is_booked_when_stripe_says_paid_without_a_webhook(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    practitioner, location, _patient = open_online()
    _deposit_policy(percent_bp=10000)  # full prepayment
    _book_to_payment(client, location, django_capture_on_commit_callbacks)
    client.post("/book/pay/")
    session = next(iter(fake_stripe.sessions.values()))
    assert session["amount_total"] == 20000
    later = NOW + dt.timedelta(hours=1)  # long past the hold; still busy until Stripe is asked
    free = availability_for(
        practitioner=practitioner, location=location, first=SLOT.date(), last=SLOT.date(), now=later
    )
    assert [b.start for b in free.bookings if "held for a patient booking online" in b.label] == [SLOT]
    fake_stripe.pay(session["id"])  # paid at Stripe; the webhook never arrives, the patient never returns
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert online_paying_release(now=later) == 0
    booking = OnlineBooking.objects.get()
    assert booking.status == "booked" and Payment.objects.get().amount == 20000


def test_an_abandoned_checkout_is_looked_up_at_stripe_before_its_hold_is_released(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    _practitioner, location, _patient = open_online()
    _deposit_policy()
    _book_to_payment(client, location, django_capture_on_commit_callbacks)
    client.post("/book/pay/")
    sid = next(iter(fake_stripe.sessions))
    later = NOW + dt.timedelta(minutes=40)
    fake_stripe.fail_next(500)  # Stripe cannot be asked: the hold is kept
    assert online_paying_release(now=later) == 0
    assert OnlineBooking.objects.get().status == "paying"
    # Still open at Stripe: kept.
    assert online_paying_release(now=later) == 0
    fake_stripe.expire(sid)
    assert online_paying_release(now=later) == 1
    assert OnlineBooking.objects.get().status == "expired"
    assert ("GET", f"/v1/checkout/sessions/{sid}") in fake_stripe.calls
    assert Payment.objects.count() == 0 and Appointment.objects.count() == 0
    assert CheckoutAttempt.objects.get().status == "expired"


def test_stripe_failing_at_the_deposit_tells_the_patient_and_a_retry_works(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    _practitioner, location, _patient = open_online()
    _deposit_policy()
    _book_to_payment(client, location, django_capture_on_commit_callbacks)
    fake_stripe.fail_next(500)
    response = client.post("/book/pay/")
    assert response.status_code == 400 and "Nothing was charged" in response.content.decode()
    assert OnlineBooking.objects.get().status == "paying"
    response = client.post("/book/pay/")
    assert response.status_code == 200 and len(fake_stripe.sessions) == 1


def test_without_a_deposit_policy_online_booking_is_as_before(client, fake_stripe, django_capture_on_commit_callbacks):
    _practitioner, location, _patient = open_online()
    response = _book_to_payment(client, location, django_capture_on_commit_callbacks)
    assert response.url == "/book/done/" and fake_stripe.sessions == {}
