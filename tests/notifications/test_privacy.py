"""Every kind of message, on every channel, as actually sent: the clinic, the day and the time, and
never the condition, the protocol, the solution or the body part."""

import datetime as dt
import re

import pytest
from django.core import mail

from notifications import delivery, sms
from notifications.models import Message, MessageTemplate
from tests.factories import PatientFactory
from tests.notifications.factories_messages import series_with_sessions, sign
from treatments.scheduling import messaging

pytestmark = pytest.mark.django_db

TUESDAY_9AM = dt.datetime(2026, 5, 12, 14, 0, tzinfo=dt.UTC)
YEAR_LATER = TUESDAY_9AM + dt.timedelta(days=400)
# Words that would tell a stranger reading the phone what is being treated, and where.
BODY_WORDS = r"knee|back|sacroiliac|elbow|achilles|shoulder|rotator|plantar|heel|foot|hip|spine|joint|tendon|ligament"


def _offer_a_freed_time(patient, series, now) -> None:
    """A waitlist offer, as treatments.scheduling.services.waitlist_offers stores it."""
    from notifications.services import Planned, messages_plan
    from tests.factories import AppointmentFactory
    from treatments.models import WaitlistEntry, WaitlistOffer

    start = TUESDAY_9AM + dt.timedelta(days=2)
    freed = AppointmentFactory(
        practitioner=series.practitioner,
        location=series.location,
        start=start,
        end=start + dt.timedelta(minutes=30),
        status="cancelled",
        cancelled_at=now,
        created_at=now,
    )
    entry = WaitlistEntry.objects.create(
        patient=patient, practitioner=series.practitioner, appointment_type=freed.appointment_type, created_at=now
    )
    offer = WaitlistOffer.objects.create(entry=entry, freed=freed, rank=1, created_at=now, expires_at=start)
    wanted = [Planned(f"offer:{offer.pk}", Message.Kind.OFFER, now, data={"offer": offer.pk})]
    messages_plan(patient=patient, wanted=wanted, now=now)


def _change_every_way(patient, series, now) -> None:
    """A move, a cancellation by the clinic, one by the patient (all within the reminder horizon,
    so each is worth a notice) and, once those went out, a session booked again."""
    from tests.factories import AppointmentFactory
    from treatments.scheduling import notices

    def session(step, hours, **fields):
        start = now + dt.timedelta(hours=hours)
        return AppointmentFactory(
            patient=patient,
            practitioner=series.practitioner,
            location=series.location,
            series=series,
            series_step=step,
            start=start,
            end=start + dt.timedelta(minutes=30),
            created_at=now,
            **fields,
        )

    moved = session(3, 3)
    old = moved.start
    moved.start, moved.end = old + dt.timedelta(hours=1), moved.end + dt.timedelta(hours=1)
    moved.save()
    notices.appointments_moved(moves=[(moved, old)], now=now)
    for step, kind in ((4, "clinic"), (5, "patient")):
        cancelled = session(step, step + 2, status="cancelled", cancel_kind=kind, cancelled_at=now)
        notices.appointments_cancelled(appointments=[cancelled], now=now)
    delivery.messages_sweep(now=now)
    notices.session_rebooked(appointment=session(4, 8), now=now)


def _pay_at_the_desk(patient, series, now) -> None:
    """A visit paid at the desk and its receipt queued, through billing's own services."""
    import uuid

    from billing import services

    invoice = services.invoice_create_draft(patient_id=patient.pk, location_id=series.location_id, by=None, now=now)
    services.invoice_add_line(
        invoice_id=invoice.pk, version=None, description="Visit", unit_price=15000, by=None, now=now
    )
    services.invoice_issue(invoice_id=invoice.pk, version=None, by=None, now=now)
    payment = services.payment_take(
        patient_id=patient.pk,
        location_id=series.location_id,
        method="card_terminal",
        amount=15000,
        allocations=[services.AllocationRequest(invoice.pk, 15000)],
        attempt_key=uuid.uuid4(),
        by=None,
        now=now,
    ).payment
    services.receipt_email(payment_id=payment.pk, attempt_key=uuid.uuid4(), by=None, now=now)


def _package_expiring(series, now) -> None:
    """The series sold as a package, its expiry notice queued, through billing's own services."""
    import uuid

    from billing.models import BillingPolicy, Fee
    from billing.services.package_ends import packages_expiry_sweep
    from billing.services.packages import package_sell

    BillingPolicy.objects.update_or_create(pk=1, defaults={"expiry_days": 10, "expiry_notice_days": 30})
    Fee.objects.create(
        appointment_type=series.protocol.appointment_type,
        code="V",
        description="Visit",
        unit_price=15000,
        valid_from=now.date(),
    )
    Fee.objects.create(
        protocol=series.protocol,
        package_sessions=2,
        code="P",
        description="Package",
        unit_price=25000,
        valid_from=now.date(),
    )
    package_sell(series_id=series.pk, attempt_key=uuid.uuid4(), by=None, now=now)
    assert packages_expiry_sweep(now=now).told == 1


def _estimate_and_balance(patient, series, now) -> None:
    """The series' Good Faith Estimate (its "ready" message) and a reminder of what is owed (the
    package sold above), through billing's own services."""
    import uuid

    from django.test import override_settings

    from billing.services.accounts import balance_reminder
    from billing.services.documents import gfe_create

    with override_settings(BILLING_GOOD_FAITH_ESTIMATES=True):
        assert gfe_create(series_id=series.pk, by=None, now=now) is not None
    assert balance_reminder(patient_id=patient.pk, attempt_key=uuid.uuid4(), by=None, now=now).message is not None


def _send_everything(channel: str, now) -> list[str]:
    patient = PatientFactory(preferred_channel=channel)
    series = series_with_sessions(starts=[TUESDAY_9AM, TUESDAY_9AM + dt.timedelta(days=28)], now=now, patient=patient)
    messaging.series_booked(series=series, now=now)
    _offer_a_freed_time(patient, series, now)
    for appointment in series.appointments.all():
        sign(appointment, at=appointment.start)
        messaging.session_signed(appointment=appointment, now=appointment.start)
    _change_every_way(patient, series, now)
    _pay_at_the_desk(patient, series, now)
    _package_expiring(series, now)
    _estimate_and_balance(patient, series, now)
    # Before-session messages need a session still ahead when they go out: send as each comes due.
    for moment in sorted(set(Message.objects.values_list("send_at", flat=True))):
        delivery.messages_sweep(now=moment + dt.timedelta(hours=1) if channel == "sms" else moment)
    delivery.messages_sweep(now=YEAR_LATER)
    assert set(Message.objects.values_list("kind", flat=True)) == set(Message.Kind.values)
    assert set(Message.objects.filter(status=Message.Status.SENT).values_list("kind", flat=True)) == set(
        Message.Kind.values
    )
    if channel == "email":
        return [f"{e.subject}\n{e.body}\n{e.alternatives[0][0]}\n{e.attachments}" for e in mail.outbox]
    return [t["text"] for t in sms.outbox]


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_no_message_of_any_kind_names_the_condition_protocol_or_body_part(channel, now):
    texts = _send_everything(channel, now)

    series = Message.objects.first().patient.series.get()
    secrets = [series.protocol.name, series.protocol.condition_label, series.protocol.condition, "Rabago"]
    secrets += [series.protocol.solution, "dextrose", series.get_side_display()]
    assert texts
    for text in texts:
        for secret in secrets:
            assert secret.lower() not in text.lower()
        words = re.sub(r"https?://\S+", "", text)  # random link tokens may spell anything
        assert not re.search(rf"\b({BODY_WORDS})s?\b", words, flags=re.IGNORECASE), words


def test_messages_say_the_clinic_the_day_the_local_time_and_the_session_number(now):
    texts = _send_everything("email", now)

    reminder = next(t for t in texts if t.startswith("Reminder"))
    assert "Tuesday 12 May at 09:00" in reminder  # 14:00 UTC, shown in Chicago time
    assert "session 1 of 2" in reminder


def test_default_templates_exist_for_every_kind_and_channel():
    pairs = set(MessageTemplate.objects.values_list("kind", "channel"))
    assert pairs == {(kind, channel) for kind in Message.Kind.values for channel in ("email", "sms")}


def test_templates_cannot_reach_the_database_through_the_context(now):
    """An admin's template only sees plain values: no patient object to walk to the diagnosis."""
    MessageTemplate.objects.filter(kind="outcome", channel="email").update(
        text="[{{ patient.series.all.0.protocol.condition_label }}{{ message.patient }}]"
    )
    texts = _send_everything("email", now)
    assert any("[]" in t for t in texts)
