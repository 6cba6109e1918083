"""Change notices, as the patient receives them: a move, a cancellation by the clinic, a receipt for
their own, a session booked again; nothing when it would not help; withdrawn when the change is
undone before it went out; SMS inside quiet hours."""

import datetime as dt

import pytest
from django.core import mail

from notifications import delivery, sms
from notifications.models import Message
from tests.factories import appointment_type
from tests.treatments.factories_desk import book_series, clinic_setup, local
from treatments.scheduling.services.booking import (
    appointment_book,
    appointment_cancel,
    appointment_move,
    series_add_session,
    series_discontinue,
)

pytestmark = pytest.mark.django_db
Kind = Message.Kind
NOW = local(2026, 5, 1, 12)  # Friday 1 May, noon in Chicago


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def series():
    # Tuesdays 5 May, 2 June, 30 June at 09:00.
    return book_series(clinic_setup(), [local(2026, 5, 5), local(2026, 6, 2), local(2026, 6, 30)], now=NOW)


def _step(series, step):
    return series.appointments.get(series_step=step, status="booked")


def _told(series):
    """The series confirmation went out: the patient knows every date."""
    delivery.messages_sweep(now=NOW)
    assert Message.objects.get(series_id=series.pk, kind=Kind.CONFIRMATION).status == Message.Status.SENT
    mail.outbox.clear()


def _notices(kind=None):
    rows = Message.objects.filter(kind__in=[Kind.MOVED, Kind.CANCELLED, Kind.CANCEL_RECEIPT, Kind.REBOOKED])
    rows = rows.order_by("id")
    return list(rows.filter(kind=kind) if kind else rows)


def test_moving_a_session_the_patient_knew_of_tells_them_the_old_and_the_new_time(series):
    _told(series)
    appointment_move(appointment=_step(series, 2), start=local(2026, 6, 4, 10), by=None, now=NOW)

    delivery.messages_sweep(now=NOW)

    [email] = mail.outbox
    assert email.subject == "New time for your session: Thursday 4 June at 10:00"
    assert "on Tuesday 2 June at 09:00 has moved. The new time is Thursday 4 June at 10:00" in email.body
    assert "later sessions" not in email.body


def test_a_series_move_lists_the_later_sessions_new_dates_in_one_message(series):
    _told(series)
    moved = appointment_move(
        appointment=_step(series, 2), start=local(2026, 6, 4, 10), by=None, now=NOW, shift_later=True
    )
    assert len(moved) == 2  # the third session was dragged along

    delivery.messages_sweep(now=NOW)

    [notice] = _notices()
    assert notice.kind == Kind.MOVED and notice.status == Message.Status.SENT
    [email] = mail.outbox
    third = _step(series, 3).start.astimezone(local(2026, 1, 1).tzinfo)
    assert third.date() != dt.date(2026, 6, 30)
    assert "Your later sessions have moved too. Their new dates are:" in email.body
    from notifications.rendering import when

    assert f"- {when(_step(series, 3).start)}" in email.body


def test_an_sms_patient_gets_the_new_time_and_the_later_dates_in_short(series):
    series.patient.preferred_channel = "sms"
    series.patient.save()
    _told(series)
    appointment_move(appointment=_step(series, 2), start=local(2026, 6, 4, 10), by=None, now=NOW, shift_later=True)

    delivery.messages_sweep(now=NOW)

    [text] = [t["text"] for t in sms.outbox if "moved" in t["text"]]
    assert "your session has moved to Thursday 4 June at 10:00. Later ones now: " in text
    assert "Reply C to confirm" in text


def test_no_notice_when_the_patient_was_never_told_and_neither_time_is_near(series):
    # The confirmation has not gone out yet: when it goes, it names the new date.
    appointment_move(appointment=_step(series, 3), start=local(2026, 7, 2, 10), by=None, now=NOW)

    assert _notices() == []
    delivery.messages_sweep(now=NOW)
    confirmation = next(e for e in mail.outbox if "are booked" in e.subject)
    assert "Thursday 2 July at 10:00" in confirmation.body


def test_a_move_inside_the_reminder_horizon_is_told_even_without_an_earlier_message(series, time_machine):
    the_day_before = local(2026, 5, 4, 12)
    time_machine.move_to(the_day_before, tick=False)

    appointment_move(appointment=_step(series, 1), start=local(2026, 5, 5, 11), by=None, now=the_day_before)

    [notice] = _notices()
    assert notice.kind == Kind.MOVED and notice.send_at == the_day_before
    # An injection session's preparation message, due at once, stands for its reminder.
    reminder = Message.objects.get(appointment_id=notice.appointment_id, kind=Kind.REMINDER)
    assert reminder.status == "cancelled"
    delivery.messages_sweep(now=the_day_before)
    assert [e.subject for e in mail.outbox if "Reminder" in e.subject] == []
    assert "New time for your session: Tuesday 5 May at 11:00" in [e.subject for e in mail.outbox]


def test_a_follow_up_moved_inside_the_horizon_gets_the_notice_instead_of_a_second_reminder(time_machine):
    the_day_before = local(2026, 5, 4, 12)
    time_machine.move_to(the_day_before, tick=False)
    practitioner, location, patient = clinic_setup()
    follow_up = appointment_book(
        patient=patient,
        practitioner=practitioner,
        location=location,
        appointment_type=appointment_type("follow-up"),
        start=local(2026, 5, 5, 9),
        by=None,
        now=the_day_before,
    )

    appointment_move(appointment=follow_up, start=local(2026, 5, 5, 11), by=None, now=the_day_before)
    delivery.messages_sweep(now=the_day_before)

    # The booking's own confirmation (issue 19: the desk's bookings are confirmed too) and the notice.
    assert [e.subject for e in mail.outbox] == [
        "Your appointment at Prolo Clinic is booked",
        "New time for your appointment: Tuesday 5 May at 11:00",
    ]
    reminder = Message.objects.get(appointment_id=follow_up.pk, kind=Kind.REMINDER)
    assert (reminder.status, reminder.last_error) == ("cancelled", "The move notice, sent at once, names the new time.")


def test_a_move_far_from_the_horizon_keeps_the_reminder_planned(series):
    _told(series)
    appointment_move(appointment=_step(series, 2), start=local(2026, 6, 4, 10), by=None, now=NOW)

    reminder = Message.objects.get(appointment_id=_step(series, 2).pk, kind=Kind.REMINDER)
    assert reminder.status == "pending" and reminder.send_at == local(2026, 6, 3, 10)


def test_moving_back_before_the_notice_went_withdraws_it_and_nothing_is_sent(series):
    _told(series)
    appointment_move(appointment=_step(series, 2), start=local(2026, 6, 4, 10), by=None, now=NOW)
    appointment_move(appointment=_step(series, 2), start=local(2026, 6, 2), by=None, now=NOW)

    delivery.messages_sweep(now=NOW)

    [notice] = _notices()
    assert notice.status == Message.Status.CANCELLED
    assert notice.last_error == "Moved back to the time the patient already knew before the notice went out."
    assert mail.outbox == []


def test_moving_twice_before_sending_sends_one_notice_from_the_time_the_patient_knew(series):
    _told(series)
    appointment_move(appointment=_step(series, 2), start=local(2026, 6, 3, 10), by=None, now=NOW)
    appointment_move(appointment=_step(series, 2), start=local(2026, 6, 4, 11), by=None, now=NOW)

    delivery.messages_sweep(now=NOW)

    assert [n.status for n in _notices()] == [Message.Status.CANCELLED, Message.Status.SENT]
    [email] = mail.outbox
    assert "on Tuesday 2 June at 09:00 has moved. The new time is Thursday 4 June at 11:00" in email.body


def test_a_move_back_after_the_notice_went_is_a_new_notice(series):
    _told(series)
    appointment_move(appointment=_step(series, 2), start=local(2026, 6, 4, 10), by=None, now=NOW)
    delivery.messages_sweep(now=NOW)
    appointment_move(appointment=_step(series, 2), start=local(2026, 6, 2), by=None, now=NOW)

    delivery.messages_sweep(now=NOW)

    assert [m.subject for m in mail.outbox][-1] == "New time for your session: Tuesday 2 June at 09:00"


def test_the_send_time_check_drops_a_notice_whose_time_no_longer_holds(series):
    _told(series)
    appointment_move(appointment=_step(series, 2), start=local(2026, 6, 4, 10), by=None, now=NOW)
    # Changed behind the services' back (a fix in the database): the notice's facts are gone.
    second = _step(series, 2)
    type(second).objects.filter(pk=second.pk).update(start=local(2026, 6, 4, 15), end=local(2026, 6, 4, 15, 30))

    delivery.messages_sweep(now=NOW)

    [notice] = _notices()
    assert notice.status == Message.Status.SKIPPED
    assert notice.last_error == "The session moved again; the newer notice has its time."
    assert mail.outbox == []


def test_the_clinic_cancelling_withdraws_a_pending_move_notice_and_names_the_time_the_patient_knew(series):
    _told(series)
    appointment_move(appointment=_step(series, 2), start=local(2026, 6, 4, 10), by=None, now=NOW)
    appointment_cancel(appointment=_step(series, 2), kind="clinic", reason="Practitioner unwell", by=None, now=NOW)

    delivery.messages_sweep(now=NOW)

    assert {n.kind: n.status for n in _notices()} == {Kind.MOVED: "cancelled", Kind.CANCELLED: "sent"}
    [email] = mail.outbox
    # The move was never told: the patient still holds the old time, and that is the one cancelled.
    assert email.subject == "Your session on Tuesday 2 June at 09:00 is cancelled"
    assert "has had to cancel your session on Tuesday 2 June at 09:00" in email.body
    assert "unwell" not in email.body  # the desk's reason stays at the desk


def test_a_patient_who_cancels_gets_a_receipt(series):
    _told(series)
    appointment_cancel(appointment=_step(series, 3), kind="patient", reason="", by=None, now=NOW)

    delivery.messages_sweep(now=NOW)

    [email] = mail.outbox
    assert "As you asked, your session at" in email.body
    assert "on Tuesday 30 June at 09:00 is cancelled" in email.body


def test_cancelling_on_the_portal_sends_the_receipt(series):
    from treatments.portal.services import portal_appointment_cancel

    _told(series)
    portal_appointment_cancel(appointment=_step(series, 3), reason="", now=NOW)

    delivery.messages_sweep(now=NOW)

    [notice] = _notices()
    assert notice.kind == Kind.CANCEL_RECEIPT
    assert mail.outbox[0].subject == "Your session on Tuesday 30 June at 09:00 is cancelled"


def test_no_cancellation_notice_for_a_far_session_the_patient_never_heard_of(series):
    appointment_cancel(appointment=_step(series, 3), kind="clinic", reason="x", by=None, now=NOW)

    assert _notices() == []


def test_discontinuing_a_series_sends_one_notice_naming_every_cancelled_session(series):
    _told(series)
    series_discontinue(series=series, reason="Stopped", by=None, now=NOW)

    delivery.messages_sweep(now=NOW)

    [notice] = _notices()
    assert notice.kind == Kind.CANCELLED
    [email] = mail.outbox
    assert "These sessions are cancelled too:\n- Tuesday 2 June at 09:00\n- Tuesday 30 June at 09:00" in email.body


def test_booking_again_before_the_cancellation_went_withdraws_it_and_tells_the_new_time(series):
    _told(series)
    appointment_cancel(appointment=_step(series, 3), kind="clinic", reason="x", by=None, now=NOW)
    series_add_session(series=series, start=local(2026, 7, 2, 10), by=None, now=NOW)

    delivery.messages_sweep(now=NOW)

    statuses = {n.kind: (n.status, n.last_error) for n in _notices()}
    assert statuses[Kind.CANCELLED] == ("cancelled", "The session was booked again before the notice went out.")
    assert statuses[Kind.REBOOKED][0] == "sent"
    [email] = mail.outbox
    assert "is booked again, now on Thursday 2 July at 10:00" in email.body


def test_booking_again_at_the_same_time_before_the_cancellation_went_sends_nothing(series):
    _told(series)
    appointment_cancel(appointment=_step(series, 3), kind="clinic", reason="x", by=None, now=NOW)
    series_add_session(series=series, start=local(2026, 6, 30), by=None, now=NOW)

    delivery.messages_sweep(now=NOW)

    assert [n.status for n in _notices()] == [Message.Status.CANCELLED]
    assert mail.outbox == []


def test_booking_again_after_the_cancellation_went_sends_a_rebooked_notice_once(series):
    _told(series)
    appointment_cancel(appointment=_step(series, 3), kind="patient", reason="", by=None, now=NOW)
    delivery.messages_sweep(now=NOW)
    series_add_session(series=series, start=local(2026, 6, 30), by=None, now=NOW)
    delivery.messages_sweep(now=NOW)
    # A further session added later answers no cancellation: no second re-booked notice.
    series.refresh_from_db()
    series.protocol.optional_sessions = 2
    series.protocol.save()
    series_add_session(series=series, start=local(2026, 7, 28), by=None, now=NOW)

    subjects = [e.subject for e in mail.outbox]
    assert subjects == [
        "Your session on Tuesday 30 June at 09:00 is cancelled",
        "Booked again: Tuesday 30 June at 09:00",
    ]
    assert len(_notices(Kind.REBOOKED)) == 1


def test_a_text_notice_waits_for_the_end_of_quiet_hours(series, time_machine):
    series.patient.preferred_channel = "sms"
    series.patient.save()
    _told(series)
    late_evening = local(2026, 5, 1, 22, 30)
    time_machine.move_to(late_evening, tick=False)
    appointment_move(appointment=_step(series, 2), start=local(2026, 6, 4, 10), by=None, now=late_evening)

    delivery.messages_sweep(now=late_evening)

    [notice] = _notices()
    assert notice.status == Message.Status.PENDING and notice.send_at == local(2026, 5, 2, 8)
    assert not any("moved" in t["text"] for t in sms.outbox)
    delivery.messages_sweep(now=local(2026, 5, 2, 8))
    assert any("moved to Thursday 4 June at 10:00" in t["text"] for t in sms.outbox)


def test_a_move_clears_the_patients_confirmation_of_the_old_time(series):
    second = _step(series, 2)
    type(second).objects.filter(pk=second.pk).update(patient_confirmed_at=NOW)

    appointment_move(appointment=second, start=local(2026, 6, 4, 10), by=None, now=NOW)

    assert _step(series, 2).patient_confirmed_at is None


def test_a_cancellation_after_a_told_move_names_the_new_time(series):
    _told(series)
    appointment_move(appointment=_step(series, 2), start=local(2026, 6, 4, 10), by=None, now=NOW)
    delivery.messages_sweep(now=NOW)
    appointment_cancel(appointment=_step(series, 2), kind="clinic", reason="x", by=None, now=NOW)

    delivery.messages_sweep(now=NOW)

    assert mail.outbox[-1].subject == "Your session on Thursday 4 June at 10:00 is cancelled"
