"""A card on file for the late-cancel policy (issue 23, item 4), through the real StripeGateway and
the fake Stripe: the patient reads the policy (its words and version kept, and when they agreed),
saves a card on the hosted setup page; the desk charges a no-show fee to it only by choosing to; a
declined card tells the desk and the fee stays owed."""

import re
import uuid

import pytest
from django.utils import timezone

from billing.models import Invoice, MissedVisit, Payment, SavedCard
from notifications.models import Message
from tests.billing.factories_series import knee_series
from tests.billing.test_missed_visits import no_show, policy
from tests.treatments.factories_portal import issue_link

pytestmark = pytest.mark.django_db


def _save_card(client, fake_stripe, patient, *, card="pm_card_visa", agree=True):
    token = issue_link(patient, now=timezone.now())
    page = client.get(f"/billing/portal/{token}/card/").content.decode()
    key = re.search(r'name="key" value="([0-9a-f-]+)"', page).group(1)
    version = re.search(r'name="version" value="(\w+)"', page).group(1)
    data = {"key": key, "version": version, **({"agree": "on"} if agree else {})}
    response = client.post(f"/billing/portal/{token}/card/", data)
    if response.status_code != 200:
        return response
    sid = next(s for s, v in fake_stripe.sessions.items() if v["mode"] == "setup")
    fake_stripe.pay(sid, card=card)  # the patient completes the setup page
    return client.get(f"/billing/portal/{token}/paid/{key}/")


def test_the_policy_must_be_ticked_and_its_words_are_kept_with_the_time(client, fake_stripe):
    policy()
    setup = knee_series()
    refused = _save_card(client, fake_stripe, setup.patient, agree=False)
    assert refused.status_code == 400 and "tick that you have read the policy" in refused.content.decode()
    assert fake_stripe.sessions == {} and SavedCard.objects.count() == 0
    page = _save_card(client, fake_stripe, setup.patient)
    assert "Your card is saved for the late-cancel policy" in page.content.decode()
    card = SavedCard.objects.get()
    assert "less than 48 hours before, or not coming, may cost $50.00" in card.policy_text
    assert card.card == "pm_card_visa" and card.customer.startswith("cus_") and card.agreed_at is not None
    assert Payment.objects.count() == 0  # saving a card charges nothing


def test_the_desk_charges_a_no_show_fee_to_the_card_only_by_choosing_to(
    client, fake_stripe, desk_user, django_capture_on_commit_callbacks
):
    policy()
    setup = knee_series()
    _save_card(client, fake_stripe, setup.patient)
    missed = no_show(setup, desk_user, django_capture_on_commit_callbacks)
    assert ("POST", "/v1/payment_intents") not in fake_stripe.calls  # nothing charged by itself
    client.force_login(desk_user)
    page = client.get(f"/billing/missed/{missed.pk}/").content.decode()
    assert "Charge the card on file ($50.00)" in page
    key = re.search(r'name="attempt_key" value="([0-9a-f-]+)"', page).group(1)
    for _click in range(2):  # a double click: one charge at Stripe, one payment
        client.post(f"/billing/missed/{missed.pk}/", {"charge_card": "1", "attempt_key": key})
    assert [c for c in fake_stripe.calls if c == ("POST", "/v1/payment_intents")] == [("POST", "/v1/payment_intents")]
    fee = Invoice.objects.get(kind="fee")
    assert (fee.status, fee.balance) == ("paid", 0)
    assert Payment.objects.get().method == "card_online"
    assert MissedVisit.objects.get().decision == "fee"
    assert Message.objects.filter(patient=setup.patient, kind="paid").count() == 1  # the receipt


def test_a_declined_card_tells_the_desk_and_the_fee_stays_owed(
    client, fake_stripe, desk_user, django_capture_on_commit_callbacks
):
    policy()
    setup = knee_series()
    fake_stripe.declining.add("pm_card_declined")
    _save_card(client, fake_stripe, setup.patient, card="pm_card_declined")
    missed = no_show(setup, desk_user, django_capture_on_commit_callbacks)
    client.force_login(desk_user)
    response = client.post(f"/billing/missed/{missed.pk}/", {"charge_card": "1", "attempt_key": str(uuid.uuid4())})
    assert response.status_code == 400
    assert "The card was declined (Your card was declined.). The fee stays owed on INV-" in response.content.decode()
    fee = Invoice.objects.get(kind="fee")
    assert (fee.status, fee.balance) == ("issued", 5000) and Payment.objects.count() == 0
