"""appointment_move handing an appointment to another practitioner: the same rules as any move
(their hours and closures at its location, double booking, the series' spacing), history that
names both practitioners, and nothing half-saved when it is refused."""

import datetime as dt

import pytest

from clinic.models import Closure
from tests.factories import UserFactory
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours, series_booking
from treatments.models import Appointment, AppointmentChange
from treatments.scheduling.services.booking import BookingError, appointment_move

pytestmark = pytest.mark.django_db

NOW = at(DAY, 7)  # Tuesday 17 March 2026, 07:00
WEEKS4 = dt.timedelta(days=28)


@pytest.fixture
def team():
    ada, main = practitioner_with_hours("Dr Ada Stone")
    ben, _ = practitioner_with_hours("Dr Ben Hall", location=main, weekdays=(1, 2))  # Tuesday, Wednesday
    return ada, ben, main


def _move(appointment, start, **extra):
    return appointment_move(appointment=appointment, start=start, by=UserFactory(), now=NOW, **extra)


def _unchanged(appointment, start, practitioner):
    appointment.refresh_from_db()
    assert (appointment.start, appointment.practitioner_id) == (start, practitioner.pk)
    assert not AppointmentChange.objects.filter(appointment=appointment, kind=AppointmentChange.Kind.MOVED).exists()


def test_a_standalone_appointment_moves_to_another_practitioner_and_the_history_names_both(team):
    ada, ben, main = team
    alone = booking(ada, main, at(DAY, 9), slug="follow-up")
    moved = _move(alone, at(DAY, 14), practitioner=ben, reason="Cover")
    assert [a.pk for a in moved] == [alone.pk]
    alone.refresh_from_db()
    assert (alone.practitioner, alone.start) == (ben, at(DAY, 14))
    change = AppointmentChange.objects.get(appointment=alone, kind=AppointmentChange.Kind.MOVED)
    assert (change.old_practitioner, change.new_practitioner) == (ada, ben)
    assert (change.old_start, change.new_start) == (at(DAY, 9), at(DAY, 14))


def test_the_same_time_with_another_practitioner_is_a_move_too(team):
    ada, ben, main = team
    alone = booking(ada, main, at(DAY, 9), slug="follow-up")
    _move(alone, at(DAY, 9), practitioner=ben)
    alone.refresh_from_db()
    assert alone.practitioner == ben
    assert AppointmentChange.objects.get(appointment=alone, kind=AppointmentChange.Kind.MOVED).new_practitioner == ben


def test_naming_its_own_practitioner_keeps_no_practitioner_change_in_the_history(team):
    ada, _ben, main = team
    alone = booking(ada, main, at(DAY, 9), slug="follow-up")
    _move(alone, at(DAY, 10), practitioner=ada)
    change = AppointmentChange.objects.get(appointment=alone, kind=AppointmentChange.Kind.MOVED)
    assert change.old_practitioner is None and change.new_practitioner is None


def test_a_day_the_other_practitioner_does_not_work_is_refused(team):
    ada, ben, main = team
    alone = booking(ada, main, at(DAY, 9), slug="follow-up")
    thursday = DAY + dt.timedelta(days=2)
    with pytest.raises(BookingError, match="outside Dr Ben Hall's hours at Main Street"):
        _move(alone, at(thursday, 9), practitioner=ben)
    _unchanged(alone, at(DAY, 9), ada)


def test_the_other_practitioners_booking_at_that_time_is_refused(team):
    ada, ben, main = team
    alone = booking(ada, main, at(DAY, 9), slug="follow-up")
    booking(ben, main, at(DAY, 14), slug="follow-up")
    with pytest.raises(BookingError, match="Dr Ben Hall already has an appointment then"):
        _move(alone, at(DAY, 14, 5), practitioner=ben)
    _unchanged(alone, at(DAY, 9), ada)


def test_the_other_practitioners_leave_is_refused(team):
    ada, ben, main = team
    alone = booking(ada, main, at(DAY, 9), slug="follow-up")
    Closure.objects.create(practitioner=ben, starts_at=at(DAY, 13), ends_at=at(DAY, 18), reason="Leave")
    with pytest.raises(BookingError, match="Dr Ben Hall is away"):
        _move(alone, at(DAY, 14), practitioner=ben)
    _unchanged(alone, at(DAY, 9), ada)


def test_a_practitioner_who_no_longer_works_here_is_refused(team):
    ada, ben, main = team
    ben.active = False
    ben.save()
    alone = booking(ada, main, at(DAY, 9), slug="follow-up")
    with pytest.raises(BookingError, match="Dr Ben Hall no longer takes appointments"):
        _move(alone, at(DAY, 14), practitioner=ben)
    _unchanged(alone, at(DAY, 9), ada)


def test_a_session_outside_its_spacing_window_is_refused_whoever_takes_it(team):
    ada, ben, main = team
    first = at(DAY - WEEKS4, 10)
    _series, (_one, two, _three) = series_booking(
        ada, main, [first, at(DAY + dt.timedelta(days=1), 10), at(DAY + dt.timedelta(days=29), 10)]
    )
    with pytest.raises(BookingError, match="to keep the spacing"):
        _move(two, at(DAY + dt.timedelta(days=15), 10), practitioner=ben)  # a Wednesday, two weeks late
    _unchanged(two, at(DAY + dt.timedelta(days=1), 10), ada)


def test_a_session_goes_to_the_colleague_and_the_later_ones_it_drags_stay_with_theirs(team):
    ada, ben, main = team
    first = at(DAY - WEEKS4 + dt.timedelta(days=1), 10)
    wednesday = DAY + dt.timedelta(days=1)
    _series, (_one, two, three) = series_booking(ada, main, [first, at(wednesday, 10), at(wednesday + WEEKS4, 10)])
    moved = _move(two, at(DAY, 10), practitioner=ben, shift_later=True)  # a day earlier, with Ben
    assert {a.pk for a in moved} == {two.pk, three.pk}
    two.refresh_from_db()
    three.refresh_from_db()
    assert (two.practitioner, two.start) == (ben, at(DAY, 10))
    assert three.practitioner == ada
    assert three.start.date() < (wednesday + WEEKS4)  # re-planned earlier to keep 28 days
    history = AppointmentChange.objects.get(appointment=three, kind=AppointmentChange.Kind.MOVED)
    assert history.new_practitioner is None


def test_a_session_the_colleague_is_busy_for_is_refused_and_nothing_moves(team):
    ada, ben, main = team
    first = at(DAY - WEEKS4, 10)
    _series, (_one, two) = series_booking(ada, main, [first, at(DAY, 10)])
    booking(ben, main, at(DAY, 10), slug="follow-up")
    with pytest.raises(BookingError, match="Dr Ben Hall already has an appointment then"):
        _move(two, at(DAY, 10), practitioner=ben)
    _unchanged(two, at(DAY, 10), ada)
    assert Appointment.objects.filter(practitioner=ben).count() == 1
