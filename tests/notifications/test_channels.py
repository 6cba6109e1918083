"""One message per moment, whatever the channel: the key names the appointment, the kind and the
moment; the channel follows the patient's current preference and consent, up to the moment of
sending."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core import mail

from notifications import delivery, sms
from notifications.models import Message
from notifications.services import NO_CONSENT_LEFT, channel_unsubscribe
from patients.services import PatientData, patient_update
from tests.factories import PatientFactory
from tests.notifications.factories_messages import MessageFactory, series_with_sessions
from treatments.scheduling import messaging

pytestmark = pytest.mark.django_db

TUESDAY_9AM = dt.datetime(2026, 5, 12, 14, 0, tzinfo=dt.UTC)
Kind = Message.Kind
Status = Message.Status


def _contact(patient, *, preferred: str, email: bool, sms_ok: bool, now) -> None:
    data = PatientData(
        first_name=patient.first_name,
        last_name=patient.last_name,
        date_of_birth=patient.date_of_birth,
        phone=patient.phone,
        email=patient.email,
        preferred_channel=preferred,
        email_consent=email,
        sms_consent=sms_ok,
    )
    patient_update(patient=patient, data=data, by=None, now=now)


def _booked(now):
    series = series_with_sessions(starts=[TUESDAY_9AM, TUESDAY_9AM + dt.timedelta(days=28)], now=now)
    messaging.series_booked(series=series, now=now)
    return series


def test_switching_to_texts_then_moving_the_session_leaves_one_reminder_by_text_at_the_new_time(now):
    series = _booked(now)
    first = series.appointments.get(series_step=1)
    _contact(series.patient, preferred="sms", email=True, sms_ok=True, now=now)
    first.start += dt.timedelta(days=1)
    first.end += dt.timedelta(days=1)
    first.save()

    messaging.appointment_changed(appointment=first, now=now)

    reminders = Message.objects.filter(appointment_id=first.pk, kind=Kind.REMINDER)
    assert [(r.channel, r.status, r.send_at) for r in reminders] == [
        ("sms", Status.PENDING, first.start - dt.timedelta(hours=24))
    ]
    assert reminders.get().dedupe_key == f"appt:{first.pk}:reminder"


def test_consent_moving_from_email_to_texts_moves_what_is_waiting_and_it_goes_by_text(now):
    series = _booked(now)
    _contact(series.patient, preferred="sms", email=False, sms_ok=True, now=now)

    waiting = Message.objects.filter(patient=series.patient, status=Status.PENDING)
    assert set(waiting.values_list("channel", flat=True)) == {"sms"}
    delivery.messages_sweep(now=now)
    confirmation = Message.objects.get(kind=Kind.CONFIRMATION)
    assert (confirmation.status, confirmation.channel, confirmation.to) == (Status.SENT, "sms", series.patient.phone)
    assert mail.outbox == [] and len(sms.outbox) == 1


def test_withdrawing_every_consent_cancels_what_is_waiting_with_the_reason_in_the_log(now):
    series = _booked(now)
    _contact(series.patient, preferred="email", email=False, sms_ok=False, now=now)

    rows = Message.objects.filter(patient=series.patient)
    assert set(rows.values_list("status", "last_error")) == {(Status.CANCELLED, NO_CONSENT_LEFT)}


def test_giving_consent_again_brings_the_moments_still_ahead_back(now):
    series = _booked(now)
    _contact(series.patient, preferred="email", email=False, sms_ok=False, now=now)
    _contact(series.patient, preferred="sms", email=False, sms_ok=True, now=now)
    series.patient.refresh_from_db()

    messaging.series_booked(series=series, now=now)

    waiting = Message.objects.filter(patient=series.patient, status=Status.PENDING)
    assert waiting.count() == 1 + 2 * 2 and set(waiting.values_list("channel", flat=True)) == {"sms"}


def test_unsubscribing_from_email_moves_waiting_messages_to_texts_or_cancels_them_without_any(now):
    with_phone = PatientFactory()
    email_only = PatientFactory(sms_consent_at=None)
    moved = MessageFactory(patient=with_phone, send_at=now + dt.timedelta(days=1))
    stopped = MessageFactory(patient=email_only, send_at=now + dt.timedelta(days=1))

    channel_unsubscribe(patient_id=with_phone.pk, channel="email")
    channel_unsubscribe(patient_id=email_only.pk, channel="email")

    moved.refresh_from_db()
    stopped.refresh_from_db()
    assert (moved.status, moved.channel) == (Status.PENDING, "sms")
    assert (stopped.status, stopped.last_error) == (Status.CANCELLED, NO_CONSENT_LEFT)


def test_the_channel_is_chosen_again_at_send_time(now):
    patient = PatientFactory(preferred_channel="email")
    row = MessageFactory(patient=patient, send_at=now)
    # Changed behind the outbox's back (e.g. in the admin): the sweep still follows the patient.
    type(patient).objects.filter(pk=patient.pk).update(email_consent_at=None)

    delivery.messages_sweep(now=now)

    row.refresh_from_db()
    assert (row.status, row.channel, row.to) == (Status.SENT, "sms", patient.phone)
    assert len(sms.outbox) == 1 and mail.outbox == []


def test_the_migration_strips_the_channel_and_keeps_one_open_message_per_moment(now):
    patient = PatientFactory()
    old_email = MessageFactory(patient=patient, dedupe_key="appt:7:reminder:email", send_at=now)
    new_sms = MessageFactory(patient=patient, channel="sms", dedupe_key="appt:7:reminder:sms", send_at=now)
    sent = MessageFactory(
        patient=patient, dedupe_key="series:3:confirmation:email", status=Status.SENT, sent_at=now, send_at=now
    )
    migration = importlib.import_module("notifications.migrations.0003_msga_dedupe_without_channel")

    migration.strip_channel(apps, None)

    old_email.refresh_from_db()
    new_sms.refresh_from_db()
    sent.refresh_from_db()
    assert (new_sms.dedupe_key, new_sms.status) == ("appt:7:reminder", Status.PENDING)
    assert (old_email.dedupe_key, old_email.status) == ("appt:7:reminder:email", Status.CANCELLED)
    assert f"Replaced by message {new_sms.pk}" in old_email.last_error
    assert sent.dedupe_key == "series:3:confirmation"
