"""Hours and time off written at the desk (issue 19, items 5 and 11): a closure over bookings is
listed with where each could go before it is saved, the same closure twice (or one overlapping it)
is refused, and the covered bookings are moved (series window kept) or cancelled with the patient
told, through the desk's own services."""

import datetime as dt

import pytest
import time_machine

from clinic.models import Closure, WorkingHours
from notifications.models import Message
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours, series_booking
from treatments.models import Appointment, AppointmentChange
from treatments.scheduling.availability import WeeklyBlock
from treatments.setup.selectors import covered_with_proposals, outside_new_week
from treatments.setup.services import (
    SetupError,
    closure_add,
    covered_booking_cancel,
    covered_booking_move,
    working_week_set,
)

pytestmark = pytest.mark.django_db
# Monday 16 March 2026, noon in Chicago: the day before DAY (a Tuesday), inside the reminder
# horizon of its bookings, so a change is told to the patient at once.
NOW = at(DAY - dt.timedelta(days=1), 12, 0)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def patel():
    return practitioner_with_hours("Dr Patel")


def _conference(practitioner, **kwargs):
    values = {
        "practitioner": practitioner,
        "location": None,
        "starts_at": at(DAY, 9),
        "ends_at": at(DAY, 13),
        "reason": "Conference",
        "now": NOW,
    }
    return closure_add(**{**values, **kwargs})


def test_a_closure_over_a_booking_lists_it_with_the_nearest_allowed_time_before_saving(patel):
    doctor, location = patel
    amelia = booking(doctor, location, at(DAY, 10))
    booking(doctor, location, at(DAY, 14))  # outside the closure: not listed

    covered = covered_with_proposals(
        practitioner=doctor, location=None, starts_at=at(DAY, 9), ends_at=at(DAY, 13), now=NOW, unsaved=True
    )

    assert [c.appointment for c in covered] == [amelia]
    # Hours 08:00-12:00 and 13:00-17:00, closed 09:00-13:00: 08:30 is the nearest free half hour
    # to 10:00 that day (13:00 is three hours away).
    assert covered[0].proposed == at(DAY, 8, 30)
    assert not Closure.objects.exists()


def test_the_same_closure_twice_is_refused_and_stored_once(patel):
    doctor, _location = patel
    _conference(doctor)
    with pytest.raises(SetupError) as refused:
        _conference(doctor)
    assert "already recorded" in refused.value.message and "Conference" in refused.value.message
    assert Closure.objects.count() == 1


def test_an_overlapping_closure_for_the_same_people_is_refused_but_another_practitioners_is_not(patel):
    doctor, location = patel
    _conference(doctor)
    with pytest.raises(SetupError) as refused:
        _conference(doctor, starts_at=at(DAY, 12), ends_at=at(DAY, 15), reason="Course")
    assert "overlaps “Conference”" in refused.value.message
    other, _loc = practitioner_with_hours("Dr Okafor", location=location)
    _conference(other)
    assert Closure.objects.count() == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reason": "  "}, "Say what the time off is for"),
        ({"ends_at": at(DAY, 9)}, "The end must be after the start."),
        ({"starts_at": NOW - dt.timedelta(days=3), "ends_at": NOW - dt.timedelta(days=2)}, "over already"),
    ],
)
def test_a_bad_closure_is_refused_and_nothing_is_stored(patel, kwargs, message):
    with pytest.raises(SetupError) as refused:
        _conference(patel[0], **kwargs)
    assert message in refused.value.message
    assert not Closure.objects.exists()


def test_a_covered_booking_moves_to_the_nearest_allowed_time_and_the_patient_is_told(patel):
    doctor, location = patel
    amelia = booking(doctor, location, at(DAY, 10))
    _conference(doctor)

    covered_booking_move(appointment=amelia, by=None, now=NOW)

    amelia.refresh_from_db()
    assert amelia.start == at(DAY, 8, 30)
    assert AppointmentChange.objects.get(appointment=amelia, kind="moved").reason == "Closure: Conference"
    assert Message.objects.filter(appointment_id=amelia.pk, kind=Message.Kind.MOVED).exists()
    with pytest.raises(SetupError, match="no longer inside a closure"):
        covered_booking_move(appointment=amelia, by=None, now=NOW)


def test_a_covered_series_session_moves_inside_its_window_and_the_later_sessions_stay(patel):
    doctor, location = patel
    # Sessions 1 and 2, 28 days apart (Knee OA — Rabago: 28 days, 7 before, 14 after).
    _series, (first, second) = series_booking(doctor, location, [at(DAY, 10), at(DAY + dt.timedelta(days=28), 10)])
    # Dr Patel is away the whole week of DAY.
    closure_add(
        practitioner=doctor,
        location=None,
        starts_at=at(DAY - dt.timedelta(days=1), 0),
        ends_at=at(DAY + dt.timedelta(days=6), 0),
        reason="Leave",
        now=NOW,
    )

    covered_booking_move(appointment=first, by=None, now=NOW)

    first.refresh_from_db()
    second.refresh_from_db()
    moved_to = first.start.astimezone(at(DAY, 0).tzinfo)
    # Session 2 keeps its date, so session 1 stays within 21-42 days before it, outside the leave.
    assert second.start == at(DAY + dt.timedelta(days=28), 10)
    assert first.start >= at(DAY + dt.timedelta(days=6), 0)
    gap = (second.start - first.start).days
    assert 28 - 14 <= gap <= 28 + 7, moved_to


def test_a_covered_booking_is_cancelled_by_the_clinic_and_the_patient_is_told(patel):
    doctor, location = patel
    amelia = booking(doctor, location, at(DAY, 10))
    _conference(doctor)

    covered_booking_cancel(appointment=amelia, by=None, now=NOW)

    amelia.refresh_from_db()
    assert (amelia.status, amelia.cancel_kind) == (Appointment.Status.CANCELLED, "clinic")
    assert Message.objects.filter(appointment_id=amelia.pk, kind=Message.Kind.CANCELLED).exists()


def test_a_new_week_lists_the_bookings_it_leaves_outside_the_hours_and_replaces_the_old_week(patel):
    doctor, location = patel
    afternoon = booking(doctor, location, at(DAY, 14))
    morning = booking(doctor, location, at(DAY, 9))
    mornings = [WeeklyBlock(d, dt.time(8), dt.time(12)) for d in range(5)]

    assert outside_new_week(practitioner=doctor, location=location, blocks=mornings, now=NOW) == [afternoon]
    assert morning not in outside_new_week(practitioner=doctor, location=location, blocks=mornings, now=NOW)

    working_week_set(practitioner=doctor, location=location, blocks=[(b.weekday, b.start, b.end) for b in mornings])
    assert sorted(WorkingHours.objects.filter(practitioner=doctor).values_list("weekday", "start", "end")) == [
        (d, dt.time(8), dt.time(12)) for d in range(5)
    ]


def test_overlapping_blocks_of_one_day_are_refused_and_the_old_week_stays(patel):
    doctor, location = patel
    before = WorkingHours.objects.filter(practitioner=doctor).count()
    with pytest.raises(SetupError, match="Monday: two blocks overlap"):
        working_week_set(
            practitioner=doctor,
            location=location,
            blocks=[(0, dt.time(8), dt.time(12)), (0, dt.time(11), dt.time(14))],
        )
    assert WorkingHours.objects.filter(practitioner=doctor).count() == before


def test_a_week_at_a_new_location_renews_the_calendars_setup_stamp(patel):
    from clinic.models import SetupStamp
    from tests.factories import LocationFactory

    doctor, _main = patel
    northside = LocationFactory(name="Northside")
    before = SetupStamp.objects.get(pk=1).token
    working_week_set(practitioner=doctor, location=northside, blocks=[(5, dt.time(9), dt.time(12))])
    assert SetupStamp.objects.get(pk=1).token != before


def test_a_week_at_another_location_over_the_hours_here_is_refused(patel):
    """Dr Okafor's Monday 09:00-12:00 at Downtown was saved over his Monday 08:30-12:00 at
    Northside: the calendars and /book/ then offered him in two places at once."""
    from tests.factories import LocationFactory

    doctor, _main = patel
    northside = LocationFactory(name="Northside")
    with pytest.raises(SetupError, match="Monday: Dr Patel works 08:00–12:00 at Main Street then"):
        working_week_set(practitioner=doctor, location=northside, blocks=[(0, dt.time(9), dt.time(12))])
    assert not WorkingHours.objects.filter(location=northside).exists()
    # Touching is not overlapping: the lunch hour at Northside is his to work.
    working_week_set(practitioner=doctor, location=northside, blocks=[(0, dt.time(12), dt.time(13))])
    assert WorkingHours.objects.filter(location=northside).count() == 1


def test_a_week_over_extra_hours_ahead_at_another_location_is_refused(patel):
    """Extra hours on a Saturday at Northside, then a week at Main Street with Saturday mornings:
    he would be in two places that Saturday, so the week is refused and says which date; extra
    hours already past do not count."""
    from clinic.models import DatedHours
    from tests.factories import LocationFactory

    doctor, main = patel
    northside = LocationFactory(name="Northside")
    saturday = DAY + dt.timedelta(days=(5 - DAY.weekday()) % 7)
    DatedHours.objects.create(practitioner=doctor, location=northside, date=saturday, start=dt.time(9), end=dt.time(12))
    DatedHours.objects.create(
        practitioner=doctor,
        location=northside,
        date=saturday - dt.timedelta(days=14),
        start=dt.time(8),
        end=dt.time(18),
    )
    before = sorted(WorkingHours.objects.filter(practitioner=doctor).values_list("weekday", "start", "end"))
    week = [(0, dt.time(8), dt.time(12)), (5, dt.time(8), dt.time(10))]
    with pytest.raises(SetupError, match=r"Sat \d+ \w+: Dr Patel has extra hours 09:00–12:00 at Northside then"):
        working_week_set(practitioner=doctor, location=main, blocks=week, now=NOW)
    assert sorted(WorkingHours.objects.filter(practitioner=doctor).values_list("weekday", "start", "end")) == before
    # Saturday afternoons do not meet the extra morning: saved.
    working_week_set(
        practitioner=doctor,
        location=main,
        blocks=[(0, dt.time(8), dt.time(12)), (5, dt.time(13), dt.time(15))],
        now=NOW,
    )
    assert WorkingHours.objects.filter(practitioner=doctor, location=main, weekday=5).count() == 1
