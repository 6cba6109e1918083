"""The desk's message log, the resend button and the patient's unsubscribe link."""

import datetime as dt

import pytest
from django.core import mail

from clinic.models import AuditEntry, ClinicSettings
from notifications import delivery
from notifications.links import unsubscribe_tokens_issue
from notifications.models import Message
from tests.factories import PatientFactory
from tests.notifications.factories_messages import MessageFactory

pytestmark = pytest.mark.django_db

Status = Message.Status


@pytest.fixture
def sent_reminder(now):
    patient = PatientFactory(first_name="Maria", last_name="Lopez")
    MessageFactory(patient=patient, send_at=now)
    delivery.messages_sweep(now=now)
    return Message.objects.get(patient=patient)


# --- roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/messages/", "/messages/patients/1/", "/messages/1/"])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/messages/", "/messages/patients/1/", "/messages/1/"])
def test_signed_in_users_without_a_role_are_refused(client, no_role_user, url):
    client.force_login(no_role_user)
    assert client.get(url).status_code == 403


def test_resend_is_refused_without_a_role(client, no_role_user, sent_reminder):
    client.force_login(no_role_user)
    assert client.post(f"/messages/{sent_reminder.pk}/resend/").status_code == 403


# --- the log ----------------------------------------------------------------------------------


def test_desk_reads_exactly_what_was_sent_to_whom_and_when(desk_client, sent_reminder):
    page = desk_client.get("/messages/").content.decode()
    assert "Maria Lopez" in page
    assert sent_reminder.to in page
    assert "Mon 4 May 2026 09:00" in page  # clinic time

    detail = desk_client.get(f"/messages/{sent_reminder.pk}/").content.decode()
    assert sent_reminder.subject in detail
    assert sent_reminder.text.splitlines()[0] in detail


def test_log_filters_by_status_kind_and_day(desk_client, now):
    patient = PatientFactory()
    MessageFactory(patient=patient, send_at=now, status=Status.FAILED, to="failed@example.com")
    MessageFactory(patient=patient, send_at=now, status=Status.CANCELLED, to="cancelled@example.com")
    MessageFactory(patient=patient, send_at=now - dt.timedelta(days=3), status=Status.FAILED, to="older@example.com")
    MessageFactory(
        patient=patient, kind=Message.Kind.REMINDER, send_at=now, status=Status.FAILED, to="reminder@example.com"
    )

    page = desk_client.get("/messages/", {"status": "failed", "kind": "outcome", "day_from": "2026-05-04"})

    body = page.content.decode()
    assert "failed@example.com" in body
    for hidden in ("cancelled@example.com", "older@example.com", "reminder@example.com"):
        assert hidden not in body


def test_the_day_filter_uses_the_clinics_local_day(desk_client, now):
    # 03:00 UTC on 5 May is still the evening of 4 May in Chicago.
    MessageFactory(send_at=dt.datetime(2026, 5, 5, 3, 0, tzinfo=dt.UTC), to="evening@example.com")

    assert "evening@example.com" in desk_client.get("/messages/", {"day_to": "2026-05-04"}).content.decode()
    assert "evening@example.com" not in desk_client.get("/messages/", {"day_from": "2026-05-05"}).content.decode()


def test_bad_filters_get_a_clear_message_and_no_rows(desk_client, sent_reminder):
    response = desk_client.get("/messages/", {"status": "exploded", "day_from": "yesterday"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "Please correct the filter below." in body
    assert "Select a valid choice" in body
    assert "Enter a valid date" in body
    assert sent_reminder.to not in body


def test_reversed_days_are_refused(desk_client):
    response = desk_client.get("/messages/", {"day_from": "2026-05-10", "day_to": "2026-05-01"})
    assert "The first day must not be after the last day." in response.content.decode()


def test_per_patient_log_shows_only_that_patient_and_is_audited(desk_client, desk_user, sent_reminder):
    other = MessageFactory(to="someone-else@example.com")

    response = desk_client.get(f"/messages/?patient={sent_reminder.patient_id}", follow=True)

    assert response.redirect_chain[-1][0] == f"/messages/patients/{sent_reminder.patient_id}/"
    body = response.content.decode()
    assert "Messages to Maria Lopez" in body
    assert sent_reminder.to in body and other.to not in body
    assert AuditEntry.objects.filter(user=desk_user, patient_id=sent_reminder.patient_id).exists()


@pytest.mark.parametrize("url", ["/messages/patients/999999/", "/messages/?patient=abc", "/messages/999999/"])
def test_unknown_or_malformed_ids_are_404(desk_client, url):
    assert desk_client.get(url).status_code == 404


def test_log_takes_the_same_number_of_queries_for_5_or_50_messages(desk_client, now, django_assert_max_num_queries):
    ClinicSettings.load()
    for _ in range(50):
        MessageFactory(send_at=now)
    # session, user, roles, clinic settings, count, page, and saving the session (3 with savepoints)
    with django_assert_max_num_queries(10):
        assert desk_client.get("/messages/").status_code == 200


def test_patient_log_and_detail_queries_are_fixed(desk_client, sent_reminder, django_assert_max_num_queries):
    for _ in range(20):
        MessageFactory(patient=sent_reminder.patient)
    with django_assert_max_num_queries(12):  # the list's 10, + the patient and the audit entry
        desk_client.get(f"/messages/patients/{sent_reminder.patient_id}/")
    with django_assert_max_num_queries(10):  # session, user, roles, settings, red flags, message, audit, save
        desk_client.get(f"/messages/{sent_reminder.pk}/")


# --- resend -----------------------------------------------------------------------------------


def test_desk_resends_a_failed_message_and_the_next_sweep_sends_it(desk_client, now):
    failed = MessageFactory(send_at=now - dt.timedelta(hours=2), status=Status.FAILED, attempts=5, last_error="down")

    page = desk_client.post(f"/messages/{failed.pk}/resend/", follow=True).content.decode()

    assert "queued again" in page
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.PENDING, 0)
    delivery.messages_sweep(now=now)
    assert len(mail.outbox) == 1


def test_a_sent_message_cannot_be_resent(desk_client, sent_reminder):
    page = desk_client.post(f"/messages/{sent_reminder.pk}/resend/", follow=True).content.decode()

    assert "Only a failed message can be sent again" in page
    sent_reminder.refresh_from_db()
    assert sent_reminder.status == Status.SENT


def test_resend_needs_a_post(desk_client, sent_reminder):
    assert desk_client.get(f"/messages/{sent_reminder.pk}/resend/").status_code == 405


# --- unsubscribe ------------------------------------------------------------------------------


def unsubscribe_token(*, patient_id: int, channel: str) -> str:
    from django.utils import timezone

    return unsubscribe_tokens_issue(pairs={(patient_id, channel)}, now=timezone.now())[(patient_id, channel)]


def test_opening_the_unsubscribe_link_changes_nothing_until_the_button(client, now):
    patient = PatientFactory()
    url = f"/messages/unsubscribe/{unsubscribe_token(patient_id=patient.pk, channel='email')}/"

    page = client.get(url)

    assert page.status_code == 200 and "Stop these messages?" in page.content.decode()
    patient.refresh_from_db()
    assert patient.email_consent_at is not None


def test_unsubscribing_withdraws_consent_and_moves_waiting_messages_to_the_other_channel(client, now):
    patient = PatientFactory()
    waiting_email = MessageFactory(patient=patient, send_at=now + dt.timedelta(days=1))
    waiting_text = MessageFactory(patient=patient, channel="sms", send_at=now + dt.timedelta(days=1))
    url = f"/messages/unsubscribe/{unsubscribe_token(patient_id=patient.pk, channel='email')}/"

    page = client.post(url).content.decode()

    assert "You are unsubscribed" in page
    patient.refresh_from_db()
    assert patient.email_consent_at is None and patient.sms_consent_at is not None
    waiting_email.refresh_from_db()
    waiting_text.refresh_from_db()
    assert (waiting_email.status, waiting_email.channel, waiting_text.status) == (Status.PENDING, "sms", Status.PENDING)


def test_mail_clients_one_click_post_works_without_a_session_or_csrf_token(now):
    from django.test import Client

    patient = PatientFactory()
    url = f"/messages/unsubscribe/{unsubscribe_token(patient_id=patient.pk, channel='sms')}/"

    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.sms_consent_at is None


@pytest.mark.parametrize("token", ["nonsense", "eyJwIjoxLCJjIjoiZW1haWwifQ:1wJtq4:forged"])
def test_a_tampered_unsubscribe_link_is_refused_clearly(client, token):
    response = client.post(f"/messages/unsubscribe/{token}/")

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()


def test_the_link_in_a_sent_email_unsubscribes_its_reader(client, sent_reminder):
    # The e-mail as the patient got it: the stored copy has the link masked.
    link = mail.outbox[-1].body.split("Stop these e-mails: ")[1].split()[0]

    client.post(link.replace("http://127.0.0.1:8000", ""))

    sent_reminder.patient.refresh_from_db()
    assert sent_reminder.patient.email_consent_at is None
