"""Receipts: queued in the outbox and sent by the sweep like every message; they name the clinic,
the date and the amount, never what the visit was for. A double click queues one."""

import pytest
from django.core import mail

from billing import services
from billing.models import BillingEvent
from clinic.models import ClinicSettings
from notifications.delivery import messages_sweep
from notifications.models import Message
from tests.billing.factories import NOW, desk_setup, issued_invoice, key, pay
from tests.factories import TreatmentSeriesFactory

pytestmark = pytest.mark.django_db


def test_an_emailed_receipt_names_the_clinic_the_date_and_the_amount_only(desk_user):
    desk = desk_setup()
    series = TreatmentSeriesFactory(patient=desk.patient, location=desk.location)  # a knee series
    desk.appointment.series = series
    desk.appointment.series_step = 1
    desk.appointment.save()
    invoice = services.checkout_invoice(appointment_id=desk.appointment.pk, by=desk_user, now=NOW)
    payment = pay(desk, invoice, 15000, method="card_terminal", reference="T-9").payment
    desk.patient.preferred_channel = "email"
    desk.patient.save()
    attempt = key()
    message = services.receipt_email(payment_id=payment.pk, attempt_key=attempt, by=desk_user, now=NOW)
    assert services.receipt_email(payment_id=payment.pk, attempt_key=attempt, by=desk_user, now=NOW) is None
    assert Message.objects.filter(kind="paid").count() == 1 and message.status == "pending"

    result = messages_sweep(now=NOW, clock=lambda: NOW)
    message.refresh_from_db()
    assert message.status == "sent", message.last_error
    assert result.sent == 1
    sent = mail.outbox[-1]
    clinic = ClinicSettings.load().name
    assert sent.to == ["maria@example.com"]
    assert sent.subject == f"Your receipt from {clinic}: $150.00"
    assert f"{clinic} received $150.00 from you on 4 May 2026 (Card (clinic terminal))" in sent.body
    words = (sent.subject + sent.body + sent.alternatives[0][0]).lower()
    for clinical in ("knee", "prolotherapy", "injection", "m0076", series.protocol.condition_label.lower()):
        assert clinical not in words
    assert BillingEvent.objects.filter(payment=payment, action="receipt_sent", by=desk_user).count() == 1


def test_a_later_click_sends_another_copy(desk_user):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    payment = pay(desk, invoice, 15000).payment
    services.receipt_email(payment_id=payment.pk, attempt_key=key(), by=desk_user, now=NOW)
    services.receipt_email(payment_id=payment.pk, attempt_key=key(), by=desk_user, now=NOW)
    assert Message.objects.filter(kind="paid", patient=desk.patient).count() == 2


def test_other_messages_still_get_their_facts_from_treatments(desk_user):
    """Billing wraps the outbox's facts provider: a reminder about an appointment still goes out."""
    from notifications.services import Planned, messages_plan

    desk = desk_setup()
    desk.appointment.status = "booked"
    desk.appointment.start = NOW.replace(hour=23)
    desk.appointment.end = desk.appointment.start.replace(minute=45)
    desk.appointment.save()
    messages_plan(
        patient=desk.patient,
        wanted=[
            Planned(
                key=f"appt:{desk.appointment.pk}:reminder",
                kind="reminder",
                send_at=NOW,
                appointment_id=desk.appointment.pk,
            )
        ],
        now=NOW,
    )
    messages_sweep(now=NOW, clock=lambda: NOW)
    reminder = Message.objects.get(kind="reminder")
    assert reminder.status == "sent", reminder.last_error
