"""A series from booking to aftercare, across the areas: the desk books it through the booking
service, the outbox fills in the same transaction, the sweep mails what is due, signing a session
plans the soreness guidance and cancelling a session withdraws its reminders."""

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.core import mail

from clinic.localtime import clinic_zone
from notifications.delivery import messages_sweep
from notifications.models import Message
from tests.factories import PatientFactory, protocol
from tests.treatments.factories_calendar import at, practitioner_with_hours
from treatments.clinical.services.records import (
    RECHECK_QUESTIONS,
    RecordData,
    SiteData,
    record_open,
    record_save_and_sign,
)
from treatments.models import Appointment
from treatments.scheduling.services.booking import appointment_cancel, series_book

pytestmark = pytest.mark.django_db

DAY = dt.date(2027, 5, 4)  # a Tuesday, far from a daylight-saving change
NOW = at(DAY, 9, 0)
CONDITION_WORDS = re.compile(r"knee|osteoarthritis|dextrose|injection site|joint", re.IGNORECASE)


@pytest.fixture
def booked(desk_user):
    practitioner, location = practitioner_with_hours()
    patient = PatientFactory(first_name="Maria", preferred_channel="email")
    starts = [at(DAY + dt.timedelta(days=7 + 28 * n), 10, 0) for n in range(3)]
    series = series_book(
        patient=patient,
        protocol=protocol("Knee OA — Rabago 2013"),
        practitioner=practitioner,
        location=location,
        side="right",
        starts=starts,
        by=desk_user,
        now=NOW,
    )
    sessions = list(series.appointments.order_by("series_step"))
    return series, sessions


def _kinds(**filters) -> Counter:
    return Counter(Message.objects.filter(**filters).values_list("kind", "status"))


def test_booking_a_series_puts_a_confirmation_and_two_reminders_per_session_in_the_outbox(booked):
    series, sessions = booked
    assert _kinds(patient=series.patient) == {
        ("confirmation", "pending"): 1,
        ("prepare", "pending"): 3,
        ("reminder", "pending"): 3,
    }
    first = sessions[0]
    reminder = Message.objects.get(appointment_id=first.pk, kind="reminder")
    prepare = Message.objects.get(appointment_id=first.pk, kind="prepare")
    assert first.start - reminder.send_at == dt.timedelta(hours=24)
    assert first.start - prepare.send_at == dt.timedelta(hours=72)


def test_the_sweep_mails_the_confirmation_with_every_date_and_a_calendar_file(booked):
    series, sessions = booked
    result = messages_sweep(now=NOW + dt.timedelta(minutes=1))

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [series.patient.email]
    body = email.body
    assert "11 May" in body and "8 June" in body and "6 July" in body
    assert not CONDITION_WORDS.search(email.subject + body)
    assert any(name.endswith(".ics") or mimetype == "text/calendar" for name, _, mimetype in email.attachments)
    assert Message.objects.get(kind="confirmation").status == "sent"
    assert result.sent == 1


def test_reminders_go_out_at_their_moment_and_only_once(booked):
    series, sessions = booked
    first = sessions[0]
    messages_sweep(now=NOW + dt.timedelta(minutes=1))
    mail.outbox.clear()

    messages_sweep(now=first.start - dt.timedelta(hours=72) + dt.timedelta(minutes=1))
    messages_sweep(now=first.start - dt.timedelta(hours=72) + dt.timedelta(minutes=2))
    assert [m.subject for m in mail.outbox] and len(mail.outbox) == 1  # the preparation message
    assert "/portal/" in mail.outbox[0].body

    messages_sweep(now=first.start - dt.timedelta(hours=24) + dt.timedelta(minutes=1))
    assert len(mail.outbox) == 2
    assert all(not CONDITION_WORDS.search(m.subject + m.body) for m in mail.outbox)


def _sign(appointment: Appointment, *, plan: str = "continue", plan_note: str = "") -> None:
    """The practitioner of the appointment records and signs it during the session."""
    user = appointment.practitioner.user
    during = appointment.start + dt.timedelta(minutes=20)
    Appointment.objects.filter(pk=appointment.pk).update(
        status=Appointment.Status.CHECKED_IN, checked_in_at=appointment.start
    )
    record = record_open(appointment=appointment, user=user, now=during)
    record_save_and_sign(
        record=record,
        data=RecordData(
            consent_confirmed=True,
            pain_before=7,
            pain_after=5,
            plan=plan,
            plan_note=plan_note,
            screening=dict.fromkeys(RECHECK_QUESTIONS, False),
            sites=[SiteData(region="Medial joint line", dextrose_percent=Decimal("15"), volume_ml=Decimal("2"))],
        ),
        user=user,
        now=during,
    )


def test_signing_a_session_plans_the_soreness_guidance(booked):
    series, sessions = booked
    first = sessions[0]
    _sign(first)

    after = Counter(Message.objects.filter(appointment_id=first.pk).values_list("kind", flat=True))
    assert after["aftercare"] == 1 and after["checkin"] == 1 and after["followup"] == 1
    evening = Message.objects.get(appointment_id=first.pk, kind="aftercare")
    assert evening.send_at.astimezone(clinic_zone()).time() == dt.time(18, 0)

    messages_sweep(now=evening.send_at + dt.timedelta(minutes=1))
    guidance = [m for m in mail.outbox if "/portal/" in m.body and m.subject]
    assert guidance, "the evening guidance was mailed"
    assert not CONDITION_WORDS.search(guidance[-1].subject + guidance[-1].body)


def test_cancelling_a_session_withdraws_its_reminders_and_keeps_the_others(booked, desk_user):
    series, sessions = booked
    third = sessions[2]
    appointment_cancel(
        appointment=third, kind=Appointment.CancelKind.PATIENT, reason="Travelling", by=desk_user, now=NOW
    )

    assert set(Message.objects.filter(appointment_id=third.pk).values_list("status", flat=True)) == {"cancelled"}
    assert set(Message.objects.filter(appointment_id=sessions[1].pk).values_list("status", flat=True)) == {"pending"}
    messages_sweep(now=third.start - dt.timedelta(hours=23))
    assert not Message.objects.filter(appointment_id=third.pk, status="sent").exists()
    # Session 2's reminders were never swept before it took place: their moment passed, so they are
    # skipped, not sent late.
    assert set(Message.objects.filter(appointment_id=sessions[1].pk).values_list("status", flat=True)) == {"skipped"}


def test_a_one_session_booking_is_confirmed_by_text_in_the_singular(desk_user):
    from notifications import sms

    sms.outbox.clear()
    practitioner, location = practitioner_with_hours()
    patient = PatientFactory(preferred_channel="sms")
    series_book(
        patient=patient,
        protocol=protocol("Sacroiliac — Kim 2010"),
        practitioner=practitioner,
        location=location,
        side="both",
        starts=[at(DAY + dt.timedelta(days=7), 10, 0)],
        by=desk_user,
        now=NOW,
    )
    messages_sweep(now=NOW + dt.timedelta(minutes=1))

    [text] = [t["text"] for t in sms.outbox if t["to"] == patient.phone]
    assert "your session is booked for Tuesday 11 May at 10:00" in text
    assert "sacroiliac" not in text.lower()


def test_signing_the_last_session_completes_the_series_and_plans_outcome_check_ins(booked):
    series, sessions = booked
    for session in sessions:
        _sign(session)
    series.refresh_from_db()
    assert series.status == "completed"
    outcome = Message.objects.filter(series_id=series.pk, kind="outcome").order_by("send_at")
    assert [m.data["weeks"] for m in outcome] == [6, 12]


def test_a_completed_series_can_take_an_optional_session_and_is_active_again(booked, desk_user):
    from treatments.scheduling.services.booking import series_add_session

    series, sessions = booked
    for session in sessions:
        _sign(session)
    extra = series_add_session(
        series=series, start=sessions[-1].start + dt.timedelta(days=28), by=desk_user, now=sessions[-1].end
    )
    series.refresh_from_db()
    assert (series.status, extra.series_step) == ("active", 4)


def test_signing_with_the_plan_to_stop_discontinues_the_series_and_withdraws_later_reminders(booked):
    series, sessions = booked
    _sign(sessions[0], plan="discontinue")

    series.refresh_from_db()
    assert series.status == "discontinued"
    assert series.discontinued_reason == "Stopped by the practitioner after session 1."
    later = Appointment.objects.filter(pk__in=[s.pk for s in sessions[1:]])
    assert set(later.values_list("status", "cancel_kind")) == {("cancelled", "clinic")}
    assert not Message.objects.filter(appointment_id__in=[s.pk for s in sessions[1:]], status="pending").exists()
    assert Message.objects.filter(series_id=series.pk, kind="outcome").count() == 2


def test_the_desk_sees_the_practitioners_plan_to_add_a_session_but_not_the_note(booked, client, desk_user):
    series, sessions = booked
    _sign(sessions[0], plan="add_session", plan_note="Medial compartment still tender")
    client.force_login(desk_user)
    html = client.get(f"/desk/series/{series.pk}/").content.decode()
    assert "The practitioner's plan after session 1: <strong>Add a session</strong>" in html
    assert "tender" not in html
