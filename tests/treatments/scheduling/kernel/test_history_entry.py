"""kernel.history_entry: the one history row of each change, written by every booking write,
attendance and signing alike."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import PatientFactory, TreatmentSeriesFactory, appointment_type
from tests.treatments.factories_calendar import DAY, at, booking
from treatments.models import AppointmentChange
from treatments.scheduling.services.attendance import appointment_check_in
from treatments.scheduling.services.booking import appointment_book, appointment_move
from treatments.scheduling.services.kernel.history import history_entry

NOW = at(DAY, 7)


def test_the_row_keeps_the_change_and_the_appointments_own_series(clinic, desk_user):
    practitioner, location = clinic
    series = TreatmentSeriesFactory(practitioner=practitioner, location=location)
    session = booking(practitioner, location, at(DAY, 9), patient=series.patient, series=series, series_step=1)
    change = history_entry(
        kind=AppointmentChange.Kind.MOVED,
        by=desk_user,
        now=NOW,
        appointment=session,
        old=at(DAY, 9),
        new=at(DAY, 10),
        reason="Patient asked",
    )
    change.refresh_from_db()
    assert (change.kind, change.by, change.at, change.series_id) == ("moved", desk_user, NOW, series.pk)
    assert (change.old_start, change.new_start, change.reason) == (at(DAY, 9), at(DAY, 10), "Patient asked")


def test_a_series_change_has_no_appointment(clinic):
    practitioner, location = clinic
    series = TreatmentSeriesFactory(practitioner=practitioner, location=location)
    change = history_entry(kind=AppointmentChange.Kind.DISCONTINUED, by=None, now=NOW, series=series, reason="x")
    assert (change.appointment_id, change.series_id) == (None, series.pk)


def test_a_long_reason_is_cut_to_what_the_column_holds(clinic):
    practitioner, location = clinic
    change = history_entry(
        kind=AppointmentChange.Kind.CANCELLED,
        by=None,
        now=NOW,
        appointment=booking(practitioner, location, at(DAY, 9)),
        reason="a" * 400,
    )
    assert len(change.reason) == 250


def test_one_booking_writes_one_row(clinic):
    practitioner, location = clinic
    appointment = appointment_book(
        patient=PatientFactory(),
        practitioner=practitioner,
        location=location,
        appointment_type=appointment_type("follow-up"),
        start=at(DAY, 9),
        by=None,
        now=NOW,
    )
    assert list(AppointmentChange.objects.filter(appointment=appointment).values_list("kind", flat=True)) == ["booked"]


def test_one_move_writes_one_row_naming_both_times(clinic):
    practitioner, location = clinic
    appointment = booking(practitioner, location, at(DAY, 9), slug="follow-up")
    appointment_move(appointment=appointment, start=at(DAY, 10), by=None, now=NOW)
    rows = list(AppointmentChange.objects.filter(appointment=appointment).values_list("kind", "old_start", "new_start"))
    assert rows == [("moved", at(DAY, 9), at(DAY, 10))]


def test_one_check_in_writes_one_row(clinic, desk_user):
    practitioner, location = clinic
    appointment = booking(practitioner, location, at(DAY, 9))
    appointment_check_in(appointment=appointment, by=desk_user, now=at(DAY, 8, 55))
    rows = list(AppointmentChange.objects.filter(appointment=appointment).values_list("kind", "by"))
    assert rows == [("checked_in", desk_user.pk)]


def test_an_anonymous_visitor_is_never_recorded_as_the_author(clinic):
    practitioner, location = clinic
    with pytest.raises(ValueError, match="anonymous"):
        history_entry(
            kind=AppointmentChange.Kind.CANCELLED,
            by=AnonymousUser(),
            now=NOW,
            appointment=booking(practitioner, location, at(DAY, 9)),
        )
    assert not AppointmentChange.objects.exists()
