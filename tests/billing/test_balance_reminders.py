"""Balance reminders (issue 23, item 8): "Send a balance reminder" at the desk (the amount and the
portal link through the outbox; a double click is one message; refused when nothing is owed or
the patient agreed to no channel), and the clinic's schedule — the billing policy's
`balance_reminder_days`, run hourly by beat: at most one reminder per patient per that many days,
for invoices issued that long ago and still owed, never without consent. Time frozen."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.conf import settings

from billing.models import BillingEvent, BillingPolicy
from billing.tasks import balance_reminders
from notifications.models import Message
from patients.models import Patient
from tests.billing.factories_series import SOLD, knee_series, sell
from tests.billing.test_documents import pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def owing(desk_user):
    """A patient who owes the $600.00 package, invoiced on SOLD (2026-05-01, clinic time)."""
    setup = knee_series()
    package = sell(setup, by=desk_user)
    return setup.patient, package.invoice


def reminder_url(patient) -> str:
    return f"/billing/patients/{patient.pk}/reminder/"


def test_the_desk_sends_a_reminder_and_reads_what_was_queued_and_where(desk_client, owing):
    patient, _invoice = owing
    key = str(uuid.uuid4())
    response = desk_client.post(reminder_url(patient), {"attempt_key": key}, follow=True)
    page = response.content.decode()
    assert "A reminder of $600.00 owed was queued for e-mail." in page
    message = Message.objects.get(kind="balance")
    assert (message.patient_id, message.channel, message.data) == (patient.pk, "email", {"amount": "$600.00"})
    assert "Balance reminder queued: $600.00, e-mail" in page  # the page's history
    again = desk_client.post(reminder_url(patient), {"attempt_key": key}, follow=True).content.decode()
    assert "This reminder was already queued" in again and Message.objects.filter(kind="balance").count() == 1


def test_a_text_message_patient_is_reminded_by_text(desk_client, owing):
    patient, _invoice = owing
    Patient.objects.filter(pk=patient.pk).update(preferred_channel="sms", phone="+13125550123")
    page = desk_client.post(reminder_url(patient), {"attempt_key": str(uuid.uuid4())}, follow=True).content.decode()
    assert "A reminder of $600.00 owed was queued for text message." in page


def test_nothing_owed_is_refused_with_a_message_and_nothing_queued(desk_client, desk_user, owing):
    patient, invoice = owing
    pay(invoice, amount=60000, by=desk_user)
    response = desk_client.post(reminder_url(patient), {"attempt_key": str(uuid.uuid4())})
    assert response.status_code == 400
    assert "owes nothing: there is no balance to remind them of." in response.content.decode()
    assert not Message.objects.filter(kind="balance").exists()


def test_no_consented_channel_is_refused_with_a_message_and_nothing_queued(desk_client, owing):
    patient, _invoice = owing
    Patient.objects.filter(pk=patient.pk).update(email_consent_at=None, sms_consent_at=None)
    response = desk_client.post(reminder_url(patient), {"attempt_key": str(uuid.uuid4())})
    assert response.status_code == 400
    assert "has not agreed to e-mails or texts: no reminder can be sent." in response.content.decode()
    assert (
        not Message.objects.filter(kind="balance").exists()
        and not BillingEvent.objects.filter(action="balance_reminder").exists()
    )


def test_a_forged_press_without_its_key_sends_nothing(desk_client, owing):
    patient, _invoice = owing
    response = desk_client.post(reminder_url(patient), {"attempt_key": "not-a-key"})
    assert response.status_code == 400 and "press the button again" in response.content.decode()
    assert not Message.objects.filter(kind="balance").exists()


def test_the_statement_page_has_the_button_for_the_desk_only(client, desk_client, owing):
    patient, _invoice = owing
    page = desk_client.get(f"/billing/patients/{patient.pk}/statement/").content.decode()
    assert f'action="{reminder_url(patient)}"' in page and "Send a balance reminder" in page
    client.logout()
    assert client.post(reminder_url(patient), {"attempt_key": str(uuid.uuid4())}).status_code == 302  # to login
    assert not Message.objects.filter(kind="balance").exists()


def test_the_reminder_is_post_only(desk_client, owing):
    patient, _invoice = owing
    assert desk_client.get(reminder_url(patient)).status_code == 405


# The schedule. SOLD is Friday 2026-05-01 12:00 in the clinic; the invoice is dated that day.
def at(day: int, hour: int = 12) -> dt.datetime:
    return SOLD + dt.timedelta(days=day, hours=hour - 12)


def sweep_at(moment: dt.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return balance_reminders()


def test_the_schedule_is_off_by_default(owing):
    assert BillingPolicy.current().balance_reminder_days == 0
    assert sweep_at(at(60)) == 0 and not Message.objects.filter(kind="balance").exists()


def test_the_schedule_reminds_once_per_period_from_the_day_the_invoice_is_that_old(owing):
    patient, _invoice = owing
    BillingPolicy.objects.update_or_create(pk=1, defaults={"balance_reminder_days": 14})
    assert sweep_at(at(13, hour=23)) == 0  # issued 13 days ago: not yet
    assert sweep_at(at(14, hour=9)) == 1
    assert sweep_at(at(14, hour=10)) == 0  # the next hour's sweep: already reminded
    assert sweep_at(at(27, hour=23)) == 0  # still inside the 14 days
    assert sweep_at(at(28, hour=9)) == 1  # the next period
    reminders = Message.objects.filter(kind="balance", patient=patient).order_by("created_at")
    assert [m.data for m in reminders] == [{"amount": "$600.00"}] * 2
    assert BillingEvent.objects.filter(action="balance_reminder", by=None).count() == 2


def test_a_reminder_from_the_desk_counts_for_the_period(desk_client, owing):
    patient, _invoice = owing
    BillingPolicy.objects.update_or_create(pk=1, defaults={"balance_reminder_days": 14})
    with time_machine.travel(at(20), tick=False):
        desk_client.post(reminder_url(patient), {"attempt_key": str(uuid.uuid4())})
    assert Message.objects.filter(kind="balance").count() == 1
    assert sweep_at(at(21)) == 0 and sweep_at(at(33)) == 0  # within 14 days of the desk's
    assert sweep_at(at(34, hour=13)) == 1


def test_the_schedule_skips_a_patient_without_consent_or_who_paid(desk_user, owing):
    patient, invoice = owing
    BillingPolicy.objects.update_or_create(pk=1, defaults={"balance_reminder_days": 7})
    Patient.objects.filter(pk=patient.pk).update(email_consent_at=None, sms_consent_at=None)
    assert sweep_at(at(10)) == 0
    assert not Message.objects.filter(kind="balance").exists()  # not even a skipped row
    Patient.objects.filter(pk=patient.pk).update(email_consent_at=SOLD)
    pay(invoice, amount=60000, by=desk_user)
    assert sweep_at(at(11)) == 0 and not Message.objects.filter(kind="balance").exists()


def test_beat_runs_the_reminders_every_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["balance-reminders"]
    assert entry["task"] == balance_reminders.name == "billing.balance_reminders"
    assert entry["schedule"] == 3600.0
