"""The three hooks that fill the outbox: booking, changing and signing."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from clinic.models import ClinicSettings
from notifications.models import Message
from tests.factories import AppointmentFactory, PatientFactory, appointment_type
from tests.notifications.factories_messages import series_with_sessions, sign
from treatments.models import Appointment
from treatments.scheduling import messaging

pytestmark = pytest.mark.django_db

# Monday 4 May 2026, 09:00 in Chicago (UTC-5).
NOW = dt.datetime(2026, 5, 4, 14, 0, tzinfo=dt.UTC)
TUESDAY_9AM = dt.datetime(2026, 5, 12, 14, 0, tzinfo=dt.UTC)
WEEK = dt.timedelta(days=7)
Kind = Message.Kind


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def _three_sessions(now, **kwargs):
    return series_with_sessions(starts=[TUESDAY_9AM, TUESDAY_9AM + 4 * WEEK, TUESDAY_9AM + 8 * WEEK], now=now, **kwargs)


def _outbox():
    return {m.dedupe_key: m for m in Message.objects.all()}


def test_booking_a_series_puts_a_confirmation_and_two_messages_per_session_in_the_outbox(now):
    series = _three_sessions(now)
    messaging.series_booked(series=series, now=now)

    rows = Message.objects.filter(patient=series.patient)
    assert rows.filter(kind=Kind.CONFIRMATION).count() == 1
    assert rows.get(kind=Kind.CONFIRMATION).send_at == now
    assert rows.filter(kind=Kind.PREPARE).count() == 3
    assert rows.filter(kind=Kind.REMINDER).count() == 3
    assert set(rows.values_list("status", flat=True)) == {Message.Status.PENDING}
    first = series.appointments.order_by("start").first()
    assert rows.get(appointment_id=first.pk, kind=Kind.PREPARE).send_at == TUESDAY_9AM - dt.timedelta(hours=72)
    assert rows.get(appointment_id=first.pk, kind=Kind.REMINDER).send_at == TUESDAY_9AM - dt.timedelta(hours=24)
    assert rows.get(appointment_id=first.pk, kind=Kind.REMINDER).dedupe_key == f"appt:{first.pk}:reminder"


def test_booking_twice_changes_nothing(now):
    series = _three_sessions(now)
    messaging.series_booked(series=series, now=now)
    before = {k: (m.pk, m.send_at, m.status) for k, m in _outbox().items()}

    messaging.series_booked(series=series, now=now + dt.timedelta(minutes=5))

    assert {k: (m.pk, m.send_at, m.status) for k, m in _outbox().items()} == before


def test_moving_a_session_re_times_its_pending_reminders(now):
    series = _three_sessions(now)
    messaging.series_booked(series=series, now=now)
    second = series.appointments.get(series_step=2)
    second.start += dt.timedelta(days=2)
    second.end += dt.timedelta(days=2)
    second.save()

    messaging.appointment_changed(appointment=second, now=now)

    reminder = Message.objects.get(appointment_id=second.pk, kind=Kind.REMINDER)
    assert reminder.send_at == second.start - dt.timedelta(hours=24)
    assert reminder.status == Message.Status.PENDING
    assert Message.objects.filter(appointment_id=second.pk).count() == 2


def test_cancelling_a_session_cancels_its_reminders_and_leaves_the_others(now):
    series = _three_sessions(now)
    messaging.series_booked(series=series, now=now)
    second = series.appointments.get(series_step=2)
    second.status, second.cancelled_at = Appointment.Status.CANCELLED, now
    second.save()

    messaging.appointment_changed(appointment=second, now=now)

    assert set(Message.objects.filter(appointment_id=second.pk).values_list("status", flat=True)) == {
        Message.Status.CANCELLED
    }
    others = Message.objects.exclude(appointment_id=second.pk)
    assert set(others.values_list("status", flat=True)) == {Message.Status.PENDING}


def test_a_cancelled_session_booked_again_gets_its_reminders_back(now):
    appointment = AppointmentFactory(start=TUESDAY_9AM, created_at=now)
    messaging.appointment_changed(appointment=appointment, now=now)
    appointment.status, appointment.cancelled_at = Appointment.Status.CANCELLED, now
    messaging.appointment_changed(appointment=appointment, now=now)
    appointment.status = Appointment.Status.BOOKED

    messaging.appointment_changed(appointment=appointment, now=now)

    assert set(Message.objects.filter(appointment_id=appointment.pk).values_list("status", flat=True)) == {
        Message.Status.PENDING
    }


def test_a_consultation_gets_a_reminder_but_no_preparation_message(now):
    visit = AppointmentFactory(start=TUESDAY_9AM, appointment_type=appointment_type("consultation"), created_at=now)

    messaging.appointment_changed(appointment=visit, now=now)

    assert list(Message.objects.values_list("kind", flat=True)) == [Kind.REMINDER]


def test_booked_inside_both_windows_sends_the_preparation_now_and_no_separate_reminder(now):
    tomorrow = AppointmentFactory(start=now + dt.timedelta(hours=20), created_at=now)

    messaging.appointment_changed(appointment=tomorrow, now=now)

    (only,) = Message.objects.all()
    assert (only.kind, only.send_at) == (Kind.PREPARE, now)


def test_patient_without_email_consent_gets_texts(now):
    patient = PatientFactory(preferred_channel="email", email_consent_at=None)
    series = _three_sessions(now, patient=patient)

    messaging.series_booked(series=series, now=now)

    assert set(Message.objects.values_list("channel", flat=True)) == {"sms"}


def test_patient_without_any_consent_gets_nothing_and_the_log_says_why(now):
    patient = PatientFactory(email_consent_at=None, sms_consent_at=None)
    series = _three_sessions(now, patient=patient)

    messaging.series_booked(series=series, now=now)

    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SKIPPED}
    assert "No consent" in Message.objects.first().last_error


def test_signing_a_session_schedules_the_soreness_guidance_that_evening_then_day_2_and_day_7(now):
    series = _three_sessions(now)
    first = series.appointments.get(series_step=1)
    sign(first, at=TUESDAY_9AM + dt.timedelta(hours=1))

    messaging.session_signed(appointment=first, now=TUESDAY_9AM + dt.timedelta(hours=1))

    rows = {m.kind: m for m in Message.objects.filter(appointment_id=first.pk)}
    # 18:00 in Chicago (UTC-5) on the day of the session, then two and seven days later.
    assert rows[Kind.AFTERCARE].send_at == dt.datetime(2026, 5, 12, 23, 0, tzinfo=dt.UTC)
    assert rows[Kind.CHECKIN].send_at == dt.datetime(2026, 5, 14, 23, 0, tzinfo=dt.UTC)
    assert rows[Kind.FOLLOWUP].send_at == dt.datetime(2026, 5, 19, 23, 0, tzinfo=dt.UTC)
    assert not Message.objects.filter(kind=Kind.OUTCOME).exists()


def test_signing_after_the_evening_time_sends_the_aftercare_at_once(now):
    series = _three_sessions(now)
    first = series.appointments.get(series_step=1)
    late = dt.datetime(2026, 5, 13, 1, 30, tzinfo=dt.UTC)  # 20:30 in Chicago

    messaging.session_signed(appointment=first, now=late)

    assert Message.objects.get(kind=Kind.AFTERCARE).send_at == late


def test_signing_the_last_session_plans_outcome_check_ins_at_6_and_12_weeks(now):
    series = _three_sessions(now)
    last = series.appointments.get(series_step=3)

    messaging.session_signed(appointment=last, now=last.start + dt.timedelta(hours=1))

    outcomes = Message.objects.filter(kind=Kind.OUTCOME).order_by("send_at")
    assert [m.data["weeks"] for m in outcomes] == [6, 12]
    assert [m.send_at.date() for m in outcomes] == [
        (last.start + 6 * WEEK).date(),
        (last.start + 12 * WEEK).date(),
    ]


def test_outcome_weeks_follow_the_clinic_setting(now):
    clinic = ClinicSettings.load()
    clinic.outcome_checkin_weeks = "4, 26"
    clinic.save()
    series = _three_sessions(now)

    messaging.session_signed(appointment=series.appointments.get(series_step=3), now=now)

    assert sorted(Message.objects.filter(kind=Kind.OUTCOME).values_list("data__weeks", flat=True)) == [4, 26]


def test_adding_a_session_after_the_last_one_was_signed_cancels_the_outcome_check_ins(now):
    series = _three_sessions(now)
    last = series.appointments.get(series_step=3)
    messaging.session_signed(appointment=last, now=now)
    extra = AppointmentFactory(
        patient=series.patient, series=series, series_step=4, start=last.start + 4 * WEEK, created_at=now
    )

    messaging.appointment_changed(appointment=extra, now=now)

    assert set(Message.objects.filter(kind=Kind.OUTCOME).values_list("status", flat=True)) == {Message.Status.CANCELLED}


def test_messages_are_written_in_the_callers_transaction_and_roll_back_with_it(now):
    series = _three_sessions(now)

    with pytest.raises(RuntimeError), transaction.atomic():
        messaging.series_booked(series=series, now=now)
        raise RuntimeError("the booking failed after planning its messages")

    assert not Message.objects.exists()


def test_checking_in_cancels_what_was_still_waiting_before_the_session(now):
    visit = AppointmentFactory(start=now + dt.timedelta(hours=30), created_at=now)
    messaging.appointment_changed(appointment=visit, now=now)
    visit.status = Appointment.Status.CHECKED_IN

    messaging.appointment_changed(appointment=visit, now=now)

    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.CANCELLED}


def test_a_session_moved_to_later_today_keeps_no_reminder_pending_for_the_day_before(now):
    series = _three_sessions(now)
    messaging.series_booked(series=series, now=now)
    first = series.appointments.get(series_step=1)
    first.start, first.end = now + dt.timedelta(hours=6), now + dt.timedelta(hours=6, minutes=30)
    first.save()

    messaging.appointment_changed(appointment=first, now=now)

    pending = Message.objects.filter(appointment_id=first.pk, status=Message.Status.PENDING)
    assert [(m.kind, m.send_at) for m in pending] == [(Kind.PREPARE, now)]
    reminder = Message.objects.get(appointment_id=first.pk, kind=Kind.REMINDER)
    assert reminder.status == Message.Status.CANCELLED
