"""The booking services: every write, what it saves, what it refuses (nothing saved)."""

import datetime as dt

import pytest
from django.db import connection

from clinic.models import Closure
from tests.factories import AppointmentFactory, PatientFactory, RoomFactory, appointment_type, protocol
from tests.treatments.factories_desk import clinic_setup, local
from treatments.models import Appointment, AppointmentChange, TreatmentSeries
from treatments.scheduling import messaging
from treatments.scheduling.services.booking import (
    BookingError,
    SlotTaken,
    appointment_book,
    appointment_cancel,
    appointment_move,
    series_add_session,
    series_book,
    series_discontinue,
)

pytestmark = pytest.mark.django_db
NOW = local(2026, 5, 1, 12)
RABAGO_STARTS = [local(2026, 5, 5), local(2026, 6, 2), local(2026, 6, 30)]


@pytest.fixture
def setup():
    return clinic_setup()


@pytest.fixture
def hooks(monkeypatch):
    """Record the messaging hooks and whether they ran inside the booking's transaction."""
    calls = []

    def spy(name):
        def hook(**kwargs):
            calls.append((name, connection.in_atomic_block))

        return hook

    monkeypatch.setattr(messaging, "series_booked", spy("series_booked"))
    monkeypatch.setattr(messaging, "appointment_changed", spy("appointment_changed"))
    return calls


def book(setup, starts=RABAGO_STARTS, **kw):
    practitioner, location, patient = setup
    args = {
        "patient": patient,
        "protocol": protocol(),
        "practitioner": practitioner,
        "location": location,
        "side": "left",
        "starts": starts,
        "by": None,
        "now": NOW,
    }
    return series_book(**{**args, **kw})


def sessions(series):
    return list(series.appointments.order_by("series_step"))


def test_series_book_saves_every_session_with_history_and_one_confirmation(setup, hooks, desk_user):
    series = book(setup, by=desk_user)
    appts = sessions(series)
    assert [(a.series_step, a.start, a.end - a.start) for a in appts] == [
        (1, RABAGO_STARTS[0], dt.timedelta(minutes=30)),
        (2, RABAGO_STARTS[1], dt.timedelta(minutes=30)),
        (3, RABAGO_STARTS[2], dt.timedelta(minutes=30)),
    ]
    assert series.planned_sessions == 3 and series.side == "left" and series.created_by == desk_user
    changes = AppointmentChange.objects.filter(series=series)
    assert {(c.kind, c.by) for c in changes} == {("booked", desk_user)}
    assert changes.count() == 3
    assert hooks == [("series_booked", True)]


def test_optional_sessions_are_marked_optional(setup):
    starts = [*RABAGO_STARTS, local(2026, 7, 28)]
    appts = sessions(book(setup, starts=starts))
    assert [a.is_optional for a in appts] == [False, False, False, True]
    assert appts[0].series.planned_sessions == 4


@pytest.mark.parametrize(
    ("starts", "message"),
    [
        ([local(2026, 4, 28)] + RABAGO_STARTS[1:], "Session 1: that time is in the past."),
        ([local(2026, 5, 5, 12, 15)] + RABAGO_STARTS[1:], "Session 1: that time is outside Dr Ada Stone's hours"),
        ([local(2026, 5, 9)] + RABAGO_STARTS[1:], "Session 1: that time is outside Dr Ada Stone's hours"),
        ([RABAGO_STARTS[0], local(2026, 5, 12), RABAGO_STARTS[2]], "Session 2: it must fall between 26 May and 16 Jun"),
        ([], "Pick at least the first session."),
        ([local(2026, 5, 5) + dt.timedelta(weeks=4 * i) for i in range(6)], "This protocol has at most 5 sessions."),
    ],
)
def test_series_book_refuses_bad_input_and_saves_nothing(setup, starts, message):
    with pytest.raises(BookingError) as err:
        book(setup, starts=starts)
    assert message in err.value.message
    assert TreatmentSeries.objects.count() == 0 and Appointment.objects.count() == 0


def test_series_book_refuses_a_closure_naming_it(setup):
    practitioner, location, _ = setup
    Closure.objects.create(
        practitioner=practitioner, starts_at=local(2026, 5, 30, 0), ends_at=local(2026, 6, 6, 0), reason="Leave"
    )
    with pytest.raises(BookingError) as err:
        book(setup)
    assert err.value.message == "Session 2: Dr Ada Stone is away 30 May–5 Jun."
    assert Appointment.objects.count() == 0


def test_series_book_refuses_a_clinic_holiday(setup):
    Closure.objects.create(starts_at=local(2026, 6, 30, 0), ends_at=local(2026, 7, 1, 0), reason="Staff training")
    with pytest.raises(BookingError) as err:
        book(setup)
    assert err.value.message == "Session 3: the clinic is closed 30 Jun (Staff training)."


def test_series_book_refuses_a_slot_inside_another_bookings_buffer(setup):
    practitioner, location, _ = setup
    # Someone else's injection 08:30-09:00 keeps its 10-minute buffer until 09:10.
    AppointmentFactory(practitioner=practitioner, location=location, start=local(2026, 6, 2, 8, 30))
    with pytest.raises(BookingError) as err:
        book(setup)
    assert err.value.message == "Session 2: Dr Ada Stone already has an appointment then."
    assert TreatmentSeries.objects.count() == 0


def test_series_book_refuses_when_the_patient_is_elsewhere(setup):
    _, location, patient = setup
    AppointmentFactory(patient=patient, start=local(2026, 6, 30, 9, 15))
    with pytest.raises(BookingError) as err:
        book(setup)
    assert err.value.message == "Session 3: the patient already has an appointment then."


def test_cancelled_appointments_do_not_block(setup):
    practitioner, location, _ = setup
    AppointmentFactory(
        practitioner=practitioner, location=location, start=RABAGO_STARTS[1], status="cancelled", cancelled_at=NOW
    )
    assert book(setup).appointments.count() == 3


def test_booking_the_same_slot_twice_is_refused(setup):
    book(setup)
    other = PatientFactory()
    with pytest.raises(BookingError) as err:
        book(setup, patient=other)
    assert "already has an appointment" in err.value.message
    assert TreatmentSeries.objects.count() == 1


def test_room_at_another_location_is_refused(setup):
    with pytest.raises(BookingError, match="another location"):
        book(setup, room=RoomFactory())


def test_appointment_book_standalone_consultation(setup, hooks):
    practitioner, location, patient = setup
    appt = appointment_book(
        patient=patient,
        practitioner=practitioner,
        location=location,
        appointment_type=appointment_type("consultation"),
        start=local(2026, 5, 4, 14),
        by=None,
        now=NOW,
    )
    assert appt.series is None and appt.end - appt.start == dt.timedelta(minutes=45)
    assert appt.changes.get().kind == "booked"
    assert hooks == [("appointment_changed", True)]


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (local(2026, 4, 30, 9), "That time is in the past."),
        (local(2026, 5, 4, 16, 30), "That time is outside Dr Ada Stone's hours at Main Street."),
        (dt.datetime(2026, 5, 4, 9), "The time has no time zone."),
    ],
)
def test_appointment_book_refuses_bad_times(setup, start, message):
    practitioner, location, patient = setup
    with pytest.raises(BookingError) as err:
        appointment_book(
            patient=patient,
            practitioner=practitioner,
            location=location,
            appointment_type=appointment_type("consultation"),
            start=start,
            by=None,
            now=NOW,
        )
    assert err.value.message == message
    assert Appointment.objects.count() == 0


def test_moving_session_two_shifts_later_sessions(setup, hooks, desk_user):
    series = book(setup)
    first, second, third = sessions(series)
    moved = appointment_move(
        appointment=second, start=local(2026, 6, 4, 10), by=desk_user, now=NOW, reason="Patient away", shift_later=True
    )
    assert [(a.series_step, a.start) for a in moved] == [(2, local(2026, 6, 4, 10)), (3, local(2026, 7, 2, 10))]
    change = second.changes.filter(kind="moved").get()
    assert (change.old_start, change.new_start, change.reason, change.by) == (
        RABAGO_STARTS[1],
        local(2026, 6, 4, 10),
        "Patient away",
        desk_user,
    )
    assert Appointment.objects.get(pk=first.pk).start == RABAGO_STARTS[0]
    assert hooks.count(("appointment_changed", True)) == 2


def test_moving_without_shift_keeps_the_rest_and_respects_the_next_window(setup):
    series = book(setup)
    _, second, third = sessions(series)
    appointment_move(appointment=second, start=local(2026, 6, 4, 10), by=None, now=NOW)
    assert Appointment.objects.get(pk=third.pk).start == RABAGO_STARTS[2]
    # 16 June would leave session 3 (30 June) only 14 days later: outside its 21-42 day window.
    with pytest.raises(BookingError) as err:
        appointment_move(appointment=second, start=local(2026, 6, 16), by=None, now=NOW)
    assert err.value.message == "Session 2 must fall between 26 May–9 Jun to keep the spacing."
    assert Appointment.objects.get(pk=second.pk).start == local(2026, 6, 4, 10)


def test_shift_later_names_the_session_that_no_longer_fits(setup):
    practitioner, _, _ = setup
    series = book(setup)
    _, second, _ = sessions(series)
    Closure.objects.create(
        practitioner=practitioner, starts_at=local(2026, 6, 20, 0), ends_at=local(2026, 7, 31, 0), reason="Leave"
    )
    with pytest.raises(BookingError) as err:
        appointment_move(appointment=second, start=local(2026, 6, 9), by=None, now=NOW, shift_later=True)
    assert err.value.message.startswith("Session 3: no free 30-minute slot between 30 Jun and 21 Jul")
    assert "Dr Ada Stone is away 20 Jun–30 Jul" in err.value.message
    assert [a.start for a in sessions(series)] == RABAGO_STARTS


def test_moving_a_standalone_appointment(setup):
    practitioner, location, patient = setup
    appt = appointment_book(
        patient=patient,
        practitioner=practitioner,
        location=location,
        appointment_type=appointment_type("follow-up"),
        start=local(2026, 5, 4, 14),
        by=None,
        now=NOW,
    )
    (moved,) = appointment_move(appointment=appt, start=local(2026, 5, 4, 14, 15), by=None, now=NOW)
    assert moved.start == local(2026, 5, 4, 14, 15) and moved.end == local(2026, 5, 4, 14, 30)


def test_a_cancelled_appointment_cannot_be_moved(setup):
    series = book(setup)
    second = sessions(series)[1]
    appointment_cancel(appointment=second, kind="patient", reason="Flu", by=None, now=NOW)
    with pytest.raises(BookingError, match="this one is cancelled"):
        appointment_move(appointment=second, start=local(2026, 6, 3), by=None, now=NOW)


def test_cancel_keeps_the_kind_reason_and_history(setup, hooks):
    series = book(setup)
    third = sessions(series)[2]
    hooks.clear()
    appointment_cancel(appointment=third, kind="late", reason="Car broke down", by=None, now=NOW)
    third.refresh_from_db()
    assert (third.status, third.cancel_kind, third.cancel_reason, third.cancelled_at) == (
        "cancelled",
        "late",
        "Car broke down",
        NOW,
    )
    change = third.changes.get(kind="cancelled")
    assert change.by is None and change.reason == "Car broke down"
    assert hooks == [("appointment_changed", True)]


def test_cancel_refuses_an_unknown_kind(setup):
    second = sessions(book(setup))[1]
    with pytest.raises(BookingError):
        appointment_cancel(appointment=second, kind="bogus", reason="", by=None, now=NOW)
    assert Appointment.objects.get(pk=second.pk).status == "booked"


def test_cancel_and_replan_puts_the_next_session_at_the_spacing_from_the_previous(setup):
    series = book(setup)
    _, second, third = sessions(series)
    appointment_cancel(appointment=second, kind="clinic", reason="Doctor ill", by=None, now=NOW, replan_rest=True)
    third.refresh_from_db()
    # Session 1 was on Tuesday 5 May: the window is 26 May-16 Jun, but not the cancelled day.
    assert third.start == local(2026, 6, 3)
    change = third.changes.get(kind="moved")
    assert change.reason == "Re-planned after session 2 was cancelled"
    assert series.changes.filter(kind="replanned").count() == 1


def test_replan_when_the_target_has_passed_starts_tomorrow(setup):
    series = book(setup)
    first, second, third = sessions(series)
    Appointment.objects.filter(pk=first.pk).update(status="completed")
    later = local(2026, 6, 8, 12)  # Monday; session 2 was due 2 June and is cancelled late
    appointment_cancel(appointment=second, kind="late", reason="Forgot", by=None, now=later, replan_rest=True)
    third.refresh_from_db()
    assert third.start == local(2026, 6, 9)  # Tuesday, same weekday and time, inside 26 May-16 Jun


def test_replan_that_cannot_fit_keeps_everything_as_it_was(setup):
    practitioner, _, _ = setup
    series = book(setup)
    _, second, third = sessions(series)
    Closure.objects.create(
        practitioner=practitioner, starts_at=local(2026, 5, 20, 0), ends_at=local(2026, 6, 20, 0), reason="Leave"
    )
    with pytest.raises(BookingError) as err:
        appointment_cancel(appointment=second, kind="patient", reason="Ill", by=None, now=NOW, replan_rest=True)
    assert err.value.message.startswith("Session 3: no free 30-minute slot between 3 Jun and 16 Jun")
    assert Appointment.objects.get(pk=second.pk).status == "booked"
    assert Appointment.objects.get(pk=third.pk).start == RABAGO_STARTS[2]


def test_add_optional_session_after_the_last(setup):
    series = book(setup)
    added = series_add_session(series=series, start=local(2026, 7, 28), by=None, now=NOW)
    assert (added.series_step, added.is_optional) == (4, True)
    series.refresh_from_db()
    assert series.planned_sessions == 4
    assert added.changes.get().kind == "added"


def test_add_session_refused_beyond_the_protocols_optional_sessions(setup):
    series = book(setup, starts=[*RABAGO_STARTS, local(2026, 7, 28), local(2026, 8, 25)])
    with pytest.raises(BookingError, match="at most 5 sessions"):
        series_add_session(series=series, start=local(2026, 9, 22), by=None, now=NOW)


def test_discontinue_cancels_future_sessions_and_blocks_more(setup, desk_user):
    series = book(setup)
    series_discontinue(series=series, reason="No improvement", by=desk_user, now=NOW)
    series.refresh_from_db()
    assert series.status == "discontinued" and series.discontinued_reason == "No improvement"
    assert {a.status for a in sessions(series)} == {"cancelled"}
    assert {a.cancel_kind for a in sessions(series)} == {"clinic"}
    with pytest.raises(BookingError, match="discontinued"):
        series_add_session(series=series, start=local(2026, 7, 28), by=None, now=NOW)
    with pytest.raises(BookingError, match="already discontinued"):
        series_discontinue(series=series, reason="again", by=None, now=NOW)


def test_discontinue_needs_a_reason(setup):
    series = book(setup)
    with pytest.raises(BookingError, match="reason"):
        series_discontinue(series=series, reason="  ", by=None, now=NOW)


def test_slot_taken_has_the_message_the_desk_sees():
    assert SlotTaken().message == "That time was just taken. Pick another."


def test_sqlite_writers_are_serialised_so_the_in_transaction_check_holds():
    # Without BEGIN IMMEDIATE two bookings could both read "free" before either writes.
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL relies on its exclusion constraints (test_booking_postgres.py)")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
