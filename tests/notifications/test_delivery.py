"""The sweep: what goes out, when, and what is held back at send time."""

import datetime as dt

import factory
import pytest
from django.core import mail
from django.test import override_settings

from clinic.models import ClinicSettings
from notifications import delivery, sms
from notifications.models import Message
from patients.models import PortalToken
from patients.tokens import portal_token_resolve, portal_tokens_live
from tests.factories import PatientFactory
from tests.notifications.conftest import NOW
from tests.notifications.factories_messages import MessageFactory, series_with_sessions, sign
from treatments.models import Appointment
from treatments.scheduling import messaging

pytestmark = pytest.mark.django_db

TUESDAY_9AM = dt.datetime(2026, 5, 12, 14, 0, tzinfo=dt.UTC)
Kind = Message.Kind


def _booked(now, **kwargs):
    series = series_with_sessions(starts=[TUESDAY_9AM, TUESDAY_9AM + dt.timedelta(days=28)], now=now, **kwargs)
    messaging.series_booked(series=series, now=now)
    return series


def test_the_worker_sends_the_confirmation_with_every_date_and_a_calendar_file(now):
    series = _booked(now)

    result = delivery.messages_sweep(now=now)

    assert result.sent == 1
    (email,) = mail.outbox
    assert email.to == [series.patient.email]
    assert "Tuesday 12 May at 09:00" in email.body
    assert "Tuesday 9 June at 09:00" in email.body
    (filename, content, mimetype) = email.attachments[0]
    assert (filename, mimetype) == ("sessions.ics", "text/calendar")
    assert content.count("BEGIN:VEVENT") == 2
    html = email.alternatives[0]
    assert html[1] == "text/html" and "Tuesday 12 May at 09:00" in html[0]
    row = Message.objects.get(kind=Kind.CONFIRMATION)
    assert (row.status, row.sent_at, row.to) == (Message.Status.SENT, now, series.patient.email)


def test_the_log_keeps_the_words_as_sent_but_never_the_live_portal_token(now):
    _booked(now)
    delivery.messages_sweep(now=now)

    raw = mail.outbox[0].body.split("/portal/")[1].split("/")[0]
    unsubscribe = mail.outbox[0].body.split("/messages/unsubscribe/")[1].split("/")[0]
    row = Message.objects.get(kind=Kind.CONFIRMATION)
    assert raw not in row.text and raw not in row.html
    assert unsubscribe not in row.text and unsubscribe not in row.html
    assert row.text == mail.outbox[0].body.replace(raw, delivery.HIDDEN_TOKEN).replace(
        unsubscribe, delivery.HIDDEN_TOKEN
    )


def test_messages_not_yet_due_stay_in_the_outbox(now):
    _booked(now)
    delivery.messages_sweep(now=now)

    assert Message.objects.filter(status=Message.Status.PENDING).count() == 4
    assert len(mail.outbox) == 1


def test_the_24_hour_reminder_goes_out_when_due_with_confirm_and_cancel_links(now):
    series = _booked(now)
    first = series.appointments.get(series_step=1)
    due = TUESDAY_9AM - dt.timedelta(hours=24)

    delivery.messages_sweep(now=due - dt.timedelta(minutes=1))
    mail.outbox.clear()
    delivery.messages_sweep(now=due)

    (email,) = mail.outbox
    assert email.subject == f"Reminder: Tuesday 12 May at 09:00 at {ClinicSettings.load().name}"
    assert f"/sessions/{first.pk}/confirm/" in email.body
    assert f"/sessions/{first.pk}/cancel/" in email.body
    assert "(session 1 of 2)" in email.body


def test_the_portal_link_is_issued_when_the_message_is_sent_and_opens_that_patients_portal(now):
    series = _booked(now)
    assert PortalToken.objects.count() == 0

    delivery.messages_sweep(now=now)

    raw = mail.outbox[0].body.split("/portal/")[1].split("/")[0]
    assert portal_token_resolve(raw=raw, now=now).patient == series.patient


def test_every_email_carries_a_one_click_unsubscribe(now):
    _booked(now)
    delivery.messages_sweep(now=now)

    email = mail.outbox[0]
    assert email.extra_headers["List-Unsubscribe"].startswith("<http")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/messages/unsubscribe/" in email.body


def test_a_session_cancelled_without_the_hook_is_still_caught_at_send_time(now):
    series = _booked(now)
    first = series.appointments.get(series_step=1)
    Appointment.objects.filter(pk=first.pk).update(status=Appointment.Status.CANCELLED, cancelled_at=now)

    delivery.messages_sweep(now=TUESDAY_9AM - dt.timedelta(hours=24))

    reminder = Message.objects.get(appointment_id=first.pk, kind=Kind.REMINDER)
    assert reminder.status == Message.Status.SKIPPED
    assert reminder.last_error == "The session is no longer booked."


def test_a_reminder_whose_session_has_begun_is_skipped_not_sent(now):
    _booked(now)

    delivery.messages_sweep(now=TUESDAY_9AM + dt.timedelta(minutes=5))

    first_reminder = Message.objects.filter(kind=Kind.REMINDER).order_by("send_at").first()
    assert first_reminder.status == Message.Status.SKIPPED
    assert "too late" in first_reminder.last_error
    assert not [e for e in mail.outbox if "Reminder" in e.subject]


def test_withdrawn_consent_is_respected_at_send_time(now):
    series = _booked(now)
    series.patient.email_consent_at = None
    series.patient.sms_consent_at = None
    series.patient.save()

    delivery.messages_sweep(now=now)

    assert mail.outbox == [] and sms.outbox == []
    confirmation = Message.objects.get(kind=Kind.CONFIRMATION)
    assert (confirmation.status, confirmation.last_error) == (
        Message.Status.SKIPPED,
        "No consent to e-mail or text this patient.",
    )


def test_a_text_due_in_quiet_hours_waits_for_the_morning_in_the_clinic_zone(now):
    patient = PatientFactory(preferred_channel="sms")
    late_evening = dt.datetime(2026, 5, 5, 3, 30, tzinfo=dt.UTC)  # 22:30 in Chicago
    MessageFactory(patient=patient, channel="sms", send_at=late_evening - dt.timedelta(minutes=1))

    result = delivery.messages_sweep(now=late_evening)

    row = Message.objects.get()
    assert (result.postponed, row.status, row.attempts) == (1, Message.Status.PENDING, 0)
    assert row.send_at == dt.datetime(2026, 5, 5, 13, 0, tzinfo=dt.UTC)  # 08:00 in Chicago
    assert sms.outbox == []
    delivery.messages_sweep(now=row.send_at)
    assert len(sms.outbox) == 1 and sms.outbox[0]["to"] == patient.phone


def test_signed_session_aftercare_names_the_phone_the_red_flags_and_the_clinic_policy(now):
    series = _booked(now)
    first = series.appointments.get(series_step=1)
    sign(first, at=TUESDAY_9AM)
    messaging.session_signed(appointment=first, now=TUESDAY_9AM)
    evening = dt.datetime(2026, 5, 12, 23, 0, tzinfo=dt.UTC)
    delivery.messages_sweep(now=evening - dt.timedelta(minutes=1))
    mail.outbox.clear()

    delivery.messages_sweep(now=evening)

    (email,) = mail.outbox
    clinic = ClinicSettings.load()
    assert clinic.phone in email.body
    assert "38 °C" in email.body and "discharge" in email.body
    assert f"no anti-inflammatory painkillers for {clinic.nsaid_avoid_days_after} days" in email.body
    assert "please do not use ice" in email.body
    assert "/aftercare/" in email.body


def test_aftercare_for_a_record_that_is_not_signed_is_skipped(now):
    series = _booked(now)
    first = series.appointments.get(series_step=1)
    messaging.session_signed(appointment=first, now=TUESDAY_9AM)  # a caller's mistake: nothing signed

    delivery.messages_sweep(now=dt.datetime(2026, 5, 12, 23, 0, tzinfo=dt.UTC))

    assert Message.objects.get(kind=Kind.AFTERCARE).status == Message.Status.SKIPPED


class _BrokenMail:
    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


@override_settings(EMAIL_BACKEND="tests.notifications.test_delivery._BrokenMail")
def test_a_failed_send_is_retried_with_growing_waits_then_marked_failed(now):
    MessageFactory(patient=PatientFactory(), send_at=now)
    ClinicSettings.objects.filter(pk=ClinicSettings.load().pk).update(max_send_attempts=3)
    waits = []
    moment = now
    for _ in range(3):
        delivery.messages_sweep(now=moment)
        row = Message.objects.get()
        if row.status == Message.Status.PENDING:
            waits.append(row.send_at - moment)
            moment = row.send_at

    assert waits == [dt.timedelta(minutes=1), dt.timedelta(minutes=2)]
    assert (row.status, row.attempts) == (Message.Status.FAILED, 3)
    assert "mail server down" in row.last_error


def test_running_the_sweep_twice_sends_each_message_once(now):
    _booked(now)

    delivery.messages_sweep(now=now)
    delivery.messages_sweep(now=now)

    assert len(mail.outbox) == 1


def test_a_row_claimed_by_a_worker_that_died_is_sent_once_after_the_lease_and_logged(now, caplog):
    MessageFactory(patient=PatientFactory(), send_at=now)
    _token, claimed, _ = delivery.messages_claim(now=now)
    assert len(claimed) == 1  # ... and the worker is killed here, before sending.

    assert delivery.messages_sweep(now=now + delivery.LEASE - dt.timedelta(seconds=1)).sent == 0
    result = delivery.messages_sweep(now=now + delivery.LEASE)

    row = Message.objects.get()
    assert (result.sent, row.status, row.attempts, len(mail.outbox)) == (1, Message.Status.SENT, 2, 1)
    assert row.last_error == delivery.RECLAIMED_NOTE
    assert "may have gone out once before" in caplog.text
    assert delivery.messages_sweep(now=now + 2 * delivery.LEASE).sent == 0


def test_a_claim_of_200_takes_a_fixed_handful_of_queries_and_one_update_per_outcome(now, django_assert_max_num_queries):
    patients = PatientFactory.create_batch(20)
    MessageFactory.create_batch(201, patient=factory.Iterator(patients), send_at=now)
    delivery.messages_sweep(now=now, max_batches=1, batch_size=1)  # warm: settings row, templates
    # Steady state: each patient's one live portal link is already out (it is minted once and then
    # reused for weeks), so the batch reads the links and writes none.
    portal_tokens_live(patient_ids={p.pk for p in patients}, now=now)

    # The claim (select, update, read back), settings, templates, the planner's facts, the portal
    # links, the unsubscribe links (one transaction deleting expired ones and inserting the
    # batch's): a handful for the claim; then exactly one single-row UPDATE per outcome, written as
    # the provider answers.
    with django_assert_max_num_queries(14 + 200):
        delivery.messages_sweep(now=now, max_batches=1, batch_size=200)
    assert Message.objects.filter(status=Message.Status.SENT).count() == 201
    assert len(mail.outbox) == 201


class _SeesTheLog(sms.BaseSmsBackend):
    """A provider that, at each text, reads the message log: how many texts are recorded as sent."""

    seen: list[int] = []

    def send(self, *, to: str, text: str) -> str:
        _SeesTheLog.seen.append(Message.objects.filter(status=Message.Status.SENT).count())
        return f"seen-{len(_SeesTheLog.seen)}"


@override_settings(SMS_BACKEND="tests.notifications.test_delivery._SeesTheLog")
def test_each_outcome_is_recorded_as_soon_as_the_provider_answers_not_at_the_end_of_the_batch(now):
    patients = PatientFactory.create_batch(5, preferred_channel="sms", sms_consent_at=now)
    MessageFactory.create_batch(12, patient=factory.Iterator(patients), channel="sms", send_at=now)
    _SeesTheLog.seen = []

    delivery.messages_sweep(now=now, batch_size=200)

    # When the provider takes text n, the n - 1 before it are already in the log as sent: a crash
    # at that moment re-sends only the text in flight.
    assert _SeesTheLog.seen == list(range(12))


def test_each_claim_reads_the_clock_so_a_late_batch_is_not_born_with_an_expired_lease(now):
    MessageFactory.create_batch(6, send_at=now)
    moments = iter(now + dt.timedelta(minutes=7 * i) for i in range(4))

    # A backlog: each batch of two is claimed seven minutes after the one before (longer than a lease).
    result = delivery.messages_sweep(now=now, batch_size=2, clock=lambda: next(moments))

    assert result.sent == 6 and result.reclaimed == []
    sent_at = sorted(Message.objects.values_list("sent_at", flat=True))
    assert sent_at == [now] * 2 + [now + dt.timedelta(minutes=7)] * 2 + [now + dt.timedelta(minutes=14)] * 2


def test_a_batch_claimed_late_holds_a_full_lease_from_its_own_claim(now):
    MessageFactory.create_batch(2, send_at=now)
    late = now + dt.timedelta(minutes=9)

    token, claimed, _reclaimed = delivery.messages_claim(now=late, limit=1)

    assert claimed[0].lease_until == late + delivery.LEASE
    # A second worker at that moment takes the other row, not the one just claimed.
    assert delivery.messages_claim(now=late, limit=5)[1] == [Message.objects.exclude(pk=claimed[0].pk).get()]


def test_sweep_uses_the_edited_template(now):
    from notifications.models import MessageTemplate

    MessageTemplate.objects.filter(kind=Kind.OUTCOME, channel="email").update(
        subject="Checking in", text="Hi {{ first_name }}, {{ weeks }} weeks on. {{ checkin_url }}"
    )
    patient = PatientFactory(first_name="Ada")
    MessageFactory(patient=patient, send_at=NOW)

    delivery.messages_sweep(now=now)

    assert mail.outbox[0].subject == "Checking in"
    assert mail.outbox[0].body.startswith("Hi Ada, 6 weeks on. http")


def test_a_row_whose_sweeps_keep_dying_is_given_up_after_the_attempt_limit(now):
    MessageFactory(send_at=now)
    limit = ClinicSettings.load().max_send_attempts
    moment = now
    for _ in range(limit):  # each claim dies before any outcome is recorded
        delivery.messages_claim(now=moment)
        moment += delivery.LEASE

    delivery.messages_sweep(now=moment)

    row = Message.objects.get()
    assert (row.status, row.last_error) == (Message.Status.FAILED, delivery.GAVE_UP_NOTE)
    assert mail.outbox == []
