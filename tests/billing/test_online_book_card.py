"""Saving a card as a step of /book/ (issue 23, item 4): once booked (and the deposit paid, if any),
when the visit's type has a late-cancel fee, the patient reads the policy, ticks "I agree" and saves
a card on the fake Stripe's setup page (Checkout in setup mode: nothing charged), or skips. The
policy's words, version and the time of agreement are kept; the return page and the webhook make
one SavedCard."""

import re

import pytest

from billing.models import CancellationPolicy, CheckoutAttempt, Payment, SavedCard
from tests.billing.fake_stripe import sign
from tests.billing.test_online_deposit import _book_to_payment, _clock_and_cache, _deposit_policy  # noqa: F401 (the clock)
from tests.treatments.booking.factories_booking import NOW, consultation, open_online
from treatments.models import OnlineBooking

pytestmark = pytest.mark.django_db


def _late_cancel_fee():
    return CancellationPolicy.objects.create(appointment_type=consultation(), window_hours=24, amount=7500)


def _card_form(page: str) -> dict:
    return {
        "key": re.search(r'name="key" value="([0-9a-f-]+)"', page).group(1),
        "version": re.search(r'name="version" value="(\w+)"', page).group(1),
    }


def test_after_booking_the_patient_may_save_a_card_after_agreeing_to_the_policy(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    _practitioner, location, _patient = open_online()
    _late_cancel_fee()
    response = _book_to_payment(client, location, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response.url == "/book/card/"  # booked; the optional step
    booking = OnlineBooking.objects.get()
    assert booking.status == "booked"
    page = client.get("/book/card/").content.decode()
    assert "You are booked" in page and "cancelling less than 24 hours before, or not coming, may cost $75.00" in page
    assert 'href="/book/done/"' in page and "Skip" in page
    form = _card_form(page)

    refused = client.post("/book/card/", form)  # "I agree" not ticked
    assert refused.status_code == 400 and "tick that you have read the policy" in refused.content.decode()
    assert fake_stripe.sessions == {} and CheckoutAttempt.objects.count() == 0

    page = client.post("/book/card/", {**form, "agree": "on"}).content.decode()
    session = next(iter(fake_stripe.sessions.values()))
    assert session["mode"] == "setup" and session["url"] in page
    assert session["success_url"].endswith(f"/book/card/saved/{form['key']}/")
    event = fake_stripe.pay(session["id"], card="pm_card_visa")
    # The patient comes back: Stripe is asked, the card kept; the webhook after it adds nothing.
    back = client.get(f"/book/card/saved/{form['key']}/")
    assert back.status_code == 302 and back.url == "/book/done/"
    assert (
        "Your card is saved for late cancellations. Nothing was charged." in client.get("/book/done/").content.decode()
    )
    answer = client.post(
        "/billing/stripe/webhook/", data=event, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(event)
    )
    assert answer.status_code == 200
    card = SavedCard.objects.get()
    booking.refresh_from_db()
    assert card.patient_id == booking.appointment.patient_id and card.card == "pm_card_visa"
    assert "may cost $75.00" in card.policy_text and card.policy_version == form["version"]
    assert card.agreed_at == NOW  # the press
    assert Payment.objects.count() == 0  # saving a card charges nothing
    # With a card on file, the step is not offered again.
    assert client.get("/book/card/").url == "/book/done/"


def test_skipping_the_card_step_books_all_the_same(client, fake_stripe, django_capture_on_commit_callbacks):
    _practitioner, location, _patient = open_online()
    _late_cancel_fee()
    _book_to_payment(client, location, django_capture_on_commit_callbacks)
    page = client.get("/book/done/").content.decode()  # the "Skip" link
    assert "You are booked" in page and "Your card" not in page
    assert fake_stripe.sessions == {} and SavedCard.objects.count() == 0


def test_the_card_step_comes_after_the_deposit(client, fake_stripe, django_capture_on_commit_callbacks):
    _practitioner, location, _patient = open_online()
    _deposit_policy()
    _late_cancel_fee()
    response = _book_to_payment(client, location, django_capture_on_commit_callbacks)
    assert response.url == "/book/pay/"
    client.post("/book/pay/")
    deposit = next(iter(fake_stripe.sessions.values()))
    fake_stripe.pay(deposit["id"])
    with django_capture_on_commit_callbacks(execute=True):
        back = client.get("/book/paid/")
    assert back.status_code == 302 and back.url == "/book/card/"
    assert "may cost $75.00" in client.get("/book/card/").content.decode()


def test_no_late_cancel_fee_no_card_step(client, fake_stripe, django_capture_on_commit_callbacks):
    _practitioner, location, _patient = open_online()
    CancellationPolicy.objects.create(appointment_type=consultation(), window_hours=24, charge="none")
    response = _book_to_payment(client, location, django_capture_on_commit_callbacks)
    assert response.url == "/book/done/"
    assert client.get("/book/card/").url == "/book/done/"


def test_stripe_failing_tells_the_patient_and_a_retry_works(client, fake_stripe, django_capture_on_commit_callbacks):
    _practitioner, location, _patient = open_online()
    _late_cancel_fee()
    _book_to_payment(client, location, django_capture_on_commit_callbacks)
    form = {**_card_form(client.get("/book/card/").content.decode()), "agree": "on"}
    fake_stripe.fail_next(500)
    response = client.post("/book/card/", form)
    assert response.status_code == 400 and "Nothing was charged" in response.content.decode()
    assert SavedCard.objects.count() == 0
    retry = {**_card_form(client.get("/book/card/").content.decode()), "agree": "on"}
    assert client.post("/book/card/", retry).status_code == 200 and len(fake_stripe.sessions) == 1


def test_without_a_booking_in_this_browser_the_card_step_sends_to_the_start(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    _practitioner, location, _patient = open_online()
    _late_cancel_fee()
    _book_to_payment(client, location, django_capture_on_commit_callbacks)
    key = _card_form(client.get("/book/card/").content.decode())["key"]
    client.cookies.clear()  # another browser: no booking in its session
    assert client.get("/book/card/").url == "/book/"
    assert client.post("/book/card/", {"key": key, "agree": "on"}).url == "/book/"
    assert client.get(f"/book/card/saved/{key}/").url == "/book/"
    assert fake_stripe.sessions == {}


def test_a_bad_form_is_refused_with_a_message(client, fake_stripe, django_capture_on_commit_callbacks):
    _practitioner, location, _patient = open_online()
    _late_cancel_fee()
    _book_to_payment(client, location, django_capture_on_commit_callbacks)
    response = client.post("/book/card/", {"key": "nonsense", "agree": "on"})
    assert response.status_code == 400 and "The form was incomplete" in response.content.decode()
    stale = {**_card_form(client.get("/book/card/").content.decode()), "agree": "on", "version": "0123456789ab"}
    response = client.post("/book/card/", stale)
    assert response.status_code == 400 and "The policy has changed" in response.content.decode()
    assert fake_stripe.sessions == {} and SavedCard.objects.count() == 0
