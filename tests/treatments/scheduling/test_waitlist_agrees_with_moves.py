"""The waitlist offers a freed slot only when the move service would accept moving the waiting
session there (without shifting the rest), and always when it would and the slot is earlier.
Both read rules.allowed_window; these tests prove the two answers agree over many series shapes:
steps, cancellations, sessions moved off their spacing, protocol intervals and windows, and the
freed slot's day (across the March daylight-saving change in Chicago)."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.factories import AppointmentFactory, PatientFactory, TreatmentSeriesFactory, appointment_type
from tests.treatments.factories_calendar import practitioner_with_hours
from tests.treatments.factories_desk import local
from treatments.models import Protocol
from treatments.scheduling.selectors.waitlist import waitlist_candidates
from treatments.scheduling.services.booking import BookingError, appointment_move
from treatments.scheduling.services.waitlist import waitlist_add

pytestmark = pytest.mark.django_db

# Chicago springs forward on 8 March 2026: generated series cross it.
TODAY = dt.date(2026, 2, 23)
NOW = local(2026, 2, 23, 12)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def clinic():
    # Open every day so availability never decides: only the window does.
    return practitioner_with_hours(weekdays=range(7))


def _at(day: dt.date, hour: int) -> dt.datetime:
    return local(day.year, day.month, day.day, hour)


def _agree(clinic, *, target, step_intervals, before, after, offsets, cancelled, waiting, freed_day):
    """Build one series, put its waiting session on the waitlist, free a slot at 14:00 on
    `freed_day`, and return (offered by the waitlist, accepted by the move service, earlier)."""
    practitioner, location = clinic
    protocol = Protocol.objects.create(
        name="Generated",
        condition="generated",
        condition_label="Generated",
        required_sessions=len(offsets),
        target_interval_days=target,
        step_intervals=step_intervals,
        window_before_days=before,
        window_after_days=after,
        appointment_type=appointment_type("injection"),
    )
    patient = PatientFactory()
    series = TreatmentSeriesFactory(
        patient=patient, protocol=protocol, practitioner=practitioner, location=location, created_at=NOW
    )
    sessions = []
    for step, offset in enumerate(offsets, start=1):
        status = "cancelled" if step in cancelled else "booked"
        sessions.append(
            AppointmentFactory(
                patient=patient,
                practitioner=practitioner,
                location=location,
                series=series,
                series_step=step,
                start=_at(TODAY + dt.timedelta(days=offset), 9),
                status=status,
                cancelled_at=NOW if status == "cancelled" else None,
            )
        )
    session = sessions[waiting - 1]
    entry = waitlist_add(
        patient=patient,
        practitioner=practitioner,
        appointment_type=protocol.appointment_type,
        by=None,
        now=NOW,
        appointment=session,
    )
    freed = AppointmentFactory(
        practitioner=practitioner, location=location, start=_at(freed_day, 14), status="cancelled", cancelled_at=NOW
    )
    offered = any(c.entry.pk == entry.pk for c in waitlist_candidates(freed=freed, now=NOW))
    try:
        with transaction.atomic():
            appointment_move(appointment=session, start=freed.start, by=None, now=NOW)
            transaction.set_rollback(True)  # only the answer matters
        accepted = True
    except BookingError:
        accepted = False
    return offered, accepted, freed.start < session.start


@st.composite
def shapes(draw):
    count = draw(st.integers(2, 5))
    # Day gaps between steps: around the target, or far off (a session moved without shifting).
    gaps = draw(st.lists(st.integers(1, 60), min_size=count - 1, max_size=count - 1))
    first = draw(st.integers(-40, 20))
    offsets = [first]
    for gap in gaps:
        offsets.append(offsets[-1] + gap)
    waiting = draw(st.integers(1, count))
    assume(offsets[waiting - 1] >= 1)  # only an upcoming session can wait
    others = [step for step in range(1, count + 1) if step != waiting]
    cancelled = draw(st.sets(st.sampled_from(others))) if others else set()
    return {
        "target": draw(st.sampled_from([7, 14, 21, 28, 42])),
        "step_intervals": draw(st.lists(st.sampled_from([7, 14, 28, 56]), max_size=3)),
        "before": draw(st.integers(0, 10)),
        "after": draw(st.integers(0, 14)),
        "offsets": offsets,
        "cancelled": cancelled,
        "waiting": waiting,
        "freed_day": TODAY + dt.timedelta(days=draw(st.integers(1, offsets[waiting - 1] + 10))),
    }


def test_the_waitlist_offers_a_slot_exactly_when_the_move_service_would_take_it(clinic):
    seen = {True: 0, False: 0}

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(shape=shapes())
    def check(shape):
        with transaction.atomic():
            offered, accepted, earlier = _agree(clinic, **shape)
            transaction.set_rollback(True)
        assert offered == (accepted and earlier), shape
        seen[offered] += 1

    check()
    assert seen[True] and seen[False]  # both answers were exercised


# Hand-picked shapes, the first being the one that disagreed before both asked rules.py.
CASES = [
    # Session 2 cancelled, waiting for session 3: the window comes from session 1 (28 days,
    # 21-42 allowed), not from "step 2" (missing). Day 18 is too soon after session 1.
    pytest.param([0, 28, 56], {2}, 3, 18, False, id="cancelled-neighbour-too-soon"),
    pytest.param([0, 28, 56], {2}, 3, 30, True, id="cancelled-neighbour-in-window"),
    pytest.param([0, 28, 56], set(), 2, 22, True, id="inside-both-neighbours"),
    # Session 3 must stay 21-42 days after session 2: 56 - 40 = 16 is too close.
    pytest.param([0, 49, 56], set(), 2, 40, False, id="next-too-close"),
    pytest.param([0, 28, 56], set(), 2, 14, False, id="too-soon-after-previous"),
    # Session 1's window for session 2 closed before today.
    pytest.param([-50, 5, 33], set(), 2, 1, False, id="previous-window-passed"),
]


@pytest.mark.parametrize(("offsets", "cancelled", "waiting", "freed", "expected"), CASES)
def test_waitlist_and_move_agree_on_hand_picked_shapes(clinic, offsets, cancelled, waiting, freed, expected):
    offered, accepted, earlier = _agree(
        clinic,
        target=28,
        step_intervals=[],
        before=7,
        after=14,
        offsets=offsets,
        cancelled=cancelled,
        waiting=waiting,
        freed_day=TODAY + dt.timedelta(days=freed),
    )
    assert earlier
    assert offered == accepted == expected
