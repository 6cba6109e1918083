"""kernel.slot_problem: check_slot's answer read without the lock, for a preview or an offer (the
calendar's move dialog, the waitlist's offers): the same sentence, or None."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PatientFactory, appointment_type
from tests.treatments.factories_calendar import DAY, at, booking
from treatments.scheduling.services.kernel.slots import slot_problem

NOW = at(DAY, 7)


def _problem(practitioner, location, start, *, patient=None, exclude_ids=()):
    return slot_problem(
        patient=patient,
        practitioner=practitioner,
        location=location,
        appointment_type=appointment_type("follow-up"),
        start=start,
        now=NOW,
        room=None,
        exclude_ids=exclude_ids,
    )


def test_a_free_time_has_no_problem(clinic):
    practitioner, location = clinic
    assert _problem(practitioner, location, at(DAY, 9)) is None


def test_a_time_in_the_past_says_so(clinic):
    practitioner, location = clinic
    assert _problem(practitioner, location, NOW - dt.timedelta(hours=1)) == "That time is in the past."


def test_outside_the_hours_the_sentence_is_the_one_check_slot_gives(clinic):
    practitioner, location = clinic
    assert _problem(practitioner, location, at(DAY, 12, 30)) == (
        "That time is outside Dr Ada Stone's hours at Main Street."
    )


def test_a_booked_time_names_the_clash_and_the_moved_appointment_frees_its_own(clinic):
    practitioner, location = clinic
    taken = booking(practitioner, location, at(DAY, 9), patient=PatientFactory())
    assert _problem(practitioner, location, at(DAY, 9, 15)).startswith("Dr Ada Stone already has an appointment")
    assert _problem(practitioner, location, at(DAY, 9, 15), exclude_ids=(taken.pk,)) is None


def test_it_reads_only_and_takes_no_lock_outside_a_transaction(clinic, lock_count):
    practitioner, location = clinic
    with lock_count() as counted, CaptureQueriesContext(connection) as queries:
        assert _problem(practitioner, location, at(DAY, 9)) is None
    assert counted.locks == 0
    assert not any(q["sql"].upper().startswith(("INSERT", "UPDATE", "DELETE")) for q in queries.captured_queries)
