"""The unsubscribe link at the foot of every message: an opaque token that names no patient, kept
only as a hash, masked in the stored message (and so in the desk's message log and the admin),
working for UNSUBSCRIBE_LINK_DAYS and then saying how else to stop the messages."""

import base64
import binascii
import contextlib
import datetime as dt
import importlib
import re

import pytest
import time_machine
from django.apps import apps
from django.core import mail, signing

from clinic.tokens import token_hash
from notifications import delivery
from notifications.links import LEGACY_SALT, unsubscribe_tokens_issue
from notifications.models import Message, UnsubscribeLink
from tests.factories import PatientFactory
from tests.notifications.factories_messages import MessageFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"/messages/unsubscribe/([^/\s>]+)/")


@pytest.fixture
def sent(now):
    """An e-mail reminder swept out: (patient, the e-mail as sent, the row as stored)."""
    patient = PatientFactory(first_name="Maria", last_name="Lopez")
    MessageFactory(patient=patient, send_at=now)
    delivery.messages_sweep(now=now)
    return patient, mail.outbox[-1], Message.objects.get(patient=patient)


def _token(email) -> str:
    return TOKEN.search(email.body).group(1)


def _decodings(token: str) -> list[bytes]:
    """Every way someone might try to read the token: base64 of the whole or of each part, padded."""
    found = []
    for part in [token, *re.split(r"[:.\-_]", token)]:
        for decode in (base64.urlsafe_b64decode, base64.b64decode):
            with contextlib.suppress(binascii.Error, ValueError):
                found.append(decode(part + "=" * (-len(part) % 4)))
    return found


def test_the_link_names_no_patient_and_only_its_hash_is_stored(sent, settings):
    patient, email, _ = sent
    token = _token(email)
    assert email.extra_headers["List-Unsubscribe"] == f"<{settings.SITE_URL}/messages/unsubscribe/{token}/>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert len(token) == 22 and ":" not in token
    with pytest.raises(signing.BadSignature):
        signing.loads(token, salt=LEGACY_SALT)
    decoded = _decodings(token)
    assert decoded  # it is base64: 16 random bytes, and nothing in them reads as the patient or channel
    for raw in decoded:
        text = raw.decode("latin-1").replace(" ", "")
        assert f'"p":{patient.pk}' not in text and "email" not in text
    link = UnsubscribeLink.objects.get(patient=patient)
    assert link.token_hash == token_hash(token) and link.channel == "email"
    assert not UnsubscribeLink.objects.filter(token_hash=token).exists()


def test_the_stored_message_the_message_log_and_the_admin_show_it_masked(sent, desk_client, admin_client_):
    _, email, message = sent
    token = _token(email)
    assert token not in message.text and token not in message.html
    assert "/messages/unsubscribe/(private-link)/" in message.text
    log_page = desk_client.get(f"/messages/{message.pk}/").content.decode()
    assert "/messages/unsubscribe/(private-link)/" in log_page and token not in log_page
    admin_page = admin_client_.get(f"/admin/notifications/message/{message.pk}/change/").content.decode()
    assert "(private-link)" in admin_page and token not in admin_page


def test_the_link_works_within_its_life(sent, client, settings):
    patient, email, _ = sent
    url = f"/messages/unsubscribe/{_token(email)}/"
    with time_machine.travel(dt.timedelta(days=settings.UNSUBSCRIBE_LINK_DAYS) - dt.timedelta(minutes=1)):
        assert "Stop these messages?" in client.get(url).content.decode()
        assert "You are unsubscribed" in client.post(url).content.decode()
    patient.refresh_from_db()
    assert patient.email_consent_at is None


def test_an_expired_link_says_how_else_to_stop_and_changes_nothing(sent, client, settings):
    patient, email, _ = sent
    url = f"/messages/unsubscribe/{_token(email)}/"
    with time_machine.travel(dt.timedelta(days=settings.UNSUBSCRIBE_LINK_DAYS, seconds=1)):
        for response in (client.get(url), client.post(url)):
            page = response.content.decode()
            assert response.status_code == 410
            assert "This link has expired" in page
            assert "reply STOP" in page and "call us on" in page
    patient.refresh_from_db()
    assert patient.email_consent_at is not None


def test_links_past_their_life_are_deleted_when_new_ones_are_made(now, settings):
    patient = PatientFactory()
    unsubscribe_tokens_issue(pairs={(patient.pk, "email")}, now=now)
    later = now + dt.timedelta(days=settings.UNSUBSCRIBE_LINK_DAYS)
    unsubscribe_tokens_issue(pairs={(patient.pk, "sms")}, now=later)
    assert list(UnsubscribeLink.objects.values_list("channel", flat=True)) == ["sms"]


def test_a_link_from_before_still_works_for_its_life_then_expires(client, now, settings):
    """Messages already in inboxes carry the old signed link: honoured for the same life, no longer."""
    patient = PatientFactory()
    old = signing.dumps({"p": patient.pk, "c": "email"}, salt=LEGACY_SALT, compress=True)
    assert client.get(f"/messages/unsubscribe/{old}/").status_code == 200
    with time_machine.travel(dt.timedelta(days=settings.UNSUBSCRIBE_LINK_DAYS, seconds=1)):
        response = client.post(f"/messages/unsubscribe/{old}/")
    assert response.status_code == 410
    patient.refresh_from_db()
    assert patient.email_consent_at is not None


def test_unsubscribe_links_already_stored_are_masked_by_the_migration(now):
    patient = PatientFactory()
    old = signing.dumps({"p": patient.pk, "c": "email"}, salt=LEGACY_SALT, compress=True)
    message = MessageFactory(
        patient=patient,
        send_at=now,
        status=Message.Status.SENT,
        sent_at=now,
        text=f"See you soon.\nStop these e-mails: https://clinic.example/messages/unsubscribe/{old}/\n",
        html=f'<a href="https://clinic.example/messages/unsubscribe/{old}/">Stop</a>',
    )
    migration = importlib.import_module("notifications.migrations.0012_unsubscribe_links")
    migration.mask_sent_unsubscribe_links(apps, None)
    message.refresh_from_db()
    assert old not in message.text and old not in message.html
    assert message.text.endswith("/messages/unsubscribe/(private-link)/\n")
    assert message.html == '<a href="https://clinic.example/messages/unsubscribe/(private-link)/">Stop</a>'
