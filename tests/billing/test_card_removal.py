"""A saved card (issue 23, item 4) through the real StripeGateway and the fake Stripe: the setup
webhook keeps the card once (replays and the patient's return racing it make one SavedCard); the
patient removes the card from the portal's money page (a confirm page, no script), it is detached
at Stripe (idempotent) and the desk can no longer charge a fee to it."""

import re
import uuid

import pytest
from django.utils import timezone

from billing.models import GatewayEvent, Invoice, SavedCard
from tests.billing.factories_series import knee_series
from tests.billing.fake_stripe import sign
from tests.billing.test_card_on_file import _save_card
from tests.billing.test_missed_visits import no_show, policy
from tests.factories import PatientFactory
from tests.treatments.factories_portal import issue_link

pytestmark = pytest.mark.django_db
WEBHOOK = "/billing/stripe/webhook/"


def _post_event(client, payload):
    return client.post(WEBHOOK, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(payload))


def _setup_page(client, fake, patient):
    """The patient ticks the policy and is sent to Stripe's setup page; returns (token, key, sid)."""
    token = issue_link(patient, now=timezone.now())
    page = client.get(f"/billing/portal/{token}/card/").content.decode()
    key = re.search(r'name="key" value="([0-9a-f-]+)"', page).group(1)
    version = re.search(r'name="version" value="(\w+)"', page).group(1)
    client.post(f"/billing/portal/{token}/card/", {"key": key, "version": version, "agree": "on"})
    sid = next(s for s, v in fake.sessions.items() if v["mode"] == "setup")
    return token, key, sid


@pytest.fixture
def fake(fake_stripe):
    return fake_stripe


def test_the_setup_webhook_keeps_the_card_once_and_the_return_page_finds_it(client, fake):
    policy()
    setup = knee_series()
    token, key, sid = _setup_page(client, fake, setup.patient)
    event = fake.pay(sid, card="pm_card_visa")
    assert '"setup_intent": "seti_' in event  # the event names only the SetupIntent: Stripe is asked
    assert _post_event(client, event).content == b"card saved"
    card = SavedCard.objects.get()
    assert (card.patient_id, card.card) == (setup.patient.pk, "pm_card_visa") and card.customer.startswith("cus_")
    assert "may cost $50.00" in card.policy_text and card.policy_version and card.agreed_at is not None
    assert _post_event(client, event).content == b"replay"
    page = client.get(f"/billing/portal/{token}/paid/{key}/").content.decode()
    assert "Your card is saved for the late-cancel policy" in page
    assert SavedCard.objects.count() == 1 and GatewayEvent.objects.count() == 1


def test_the_return_page_first_then_the_webhook_make_one_card(client, fake):
    policy()
    setup = knee_series()
    token, key, sid = _setup_page(client, fake, setup.patient)
    event = fake.pay(sid)
    client.get(f"/billing/portal/{token}/paid/{key}/")
    assert _post_event(client, event).content == b"card saved"  # the same card, found
    assert SavedCard.objects.count() == 1


def test_stripe_not_answering_the_webhooks_question_leaves_the_event_for_stripes_retry(client, fake):
    policy()
    setup = knee_series()
    _token, _key, sid = _setup_page(client, fake, setup.patient)
    event = fake.pay(sid)
    fake.fail_next(500)
    assert _post_event(client, event).status_code == 503
    assert SavedCard.objects.count() == 0 and GatewayEvent.objects.count() == 0  # not taken: Stripe retries
    assert _post_event(client, event).content == b"card saved"
    assert SavedCard.objects.count() == 1


def test_the_patient_removes_the_card_and_the_desk_can_no_longer_charge_it(
    client, fake, desk_user, django_capture_on_commit_callbacks
):
    policy()
    setup = knee_series()
    _save_card(client, fake, setup.patient)
    card = SavedCard.objects.get()
    token = issue_link(setup.patient, now=timezone.now())
    money = client.get(f"/billing/portal/{token}/").content.decode()
    remove = f"/billing/portal/{token}/card/{card.pk}/remove/"
    assert "A card you saved on" in money and remove in money
    confirm = client.get(remove).content.decode()
    assert "Remove this card?" in confirm and "Yes, remove the card" in confirm
    assert '<form method="post"' in confirm  # a plain form: works without JavaScript
    assert SavedCard.objects.count() == 1  # looking at the page removes nothing
    done = client.post(remove)
    assert done.status_code == 200 and "Your card was removed" in done.content.decode()
    assert fake.payment_methods["pm_card_visa"]["customer"] is None  # detached at Stripe
    card.refresh_from_db()
    assert card.removed_at is not None and SavedCard.objects.count() == 0 and SavedCard.every.count() == 1
    assert client.post(remove).status_code == 200  # pressed twice: removed once
    detaches = [c for c in fake.calls if c[1].endswith("/detach")]
    assert len(detaches) == 1
    assert "Your card on file" not in client.get(f"/billing/portal/{token}/").content.decode()

    missed = no_show(setup, desk_user, django_capture_on_commit_callbacks)
    client.force_login(desk_user)
    page = client.get(f"/billing/missed/{missed.pk}/").content.decode()
    assert "Charge the card on file" not in page
    refused = client.post(f"/billing/missed/{missed.pk}/", {"charge_card": "1", "attempt_key": str(uuid.uuid4())})
    assert refused.status_code == 400
    assert "The patient removed their card on file on" in refused.content.decode()
    assert ("POST", "/v1/payment_intents") not in fake.calls
    assert not Invoice.objects.filter(kind="fee", status="paid").exists()


def test_a_card_already_detached_at_stripe_is_removed_here_too(client, fake):
    policy()
    setup = knee_series()
    _save_card(client, fake, setup.patient)
    card = SavedCard.objects.get()
    fake.payment_methods[card.card]["customer"] = None  # detached at Stripe (the clinic, or a lost answer)
    token = issue_link(setup.patient, now=timezone.now())
    done = client.post(f"/billing/portal/{token}/card/{card.pk}/remove/")
    assert done.status_code == 200 and "Your card was removed" in done.content.decode()
    assert ("GET", f"/v1/payment_methods/{card.card}") in fake.calls  # Stripe's refusal was checked
    assert SavedCard.objects.count() == 0


def test_stripe_failing_at_removal_tells_the_patient_and_the_card_stays(client, fake):
    policy()
    setup = knee_series()
    _save_card(client, fake, setup.patient)
    card = SavedCard.objects.get()
    token = issue_link(setup.patient, now=timezone.now())
    fake.fail_next(500)
    response = client.post(f"/billing/portal/{token}/card/{card.pk}/remove/")
    assert response.status_code == 400 and "Your card was not removed" in response.content.decode()
    card.refresh_from_db()
    assert card.removed_at is None and fake.payment_methods[card.card]["customer"]
    assert client.post(f"/billing/portal/{token}/card/{card.pk}/remove/").status_code == 200  # a retry works
    assert SavedCard.objects.count() == 0


def test_another_patients_card_through_a_portal_link_is_a_404(client, fake, django_assert_max_num_queries):
    policy()
    setup = knee_series()
    _save_card(client, fake, setup.patient)
    card = SavedCard.objects.get()
    stranger = issue_link(PatientFactory(), now=timezone.now())
    url = f"/billing/portal/{stranger}/card/{card.pk}/remove/"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert client.get(f"/billing/portal/not-a-token/card/{card.pk}/remove/").status_code == 404
    card.refresh_from_db()
    assert card.removed_at is None and not [c for c in fake.calls if c[1].endswith("/detach")]
    own = issue_link(setup.patient, now=timezone.now())
    client.get(f"/billing/portal/{own}/card/{card.pk}/remove/")
    with django_assert_max_num_queries(8):  # the link, its touch, the card, the audit entry, settings
        assert client.get(f"/billing/portal/{own}/card/{card.pk}/remove/").status_code == 200
