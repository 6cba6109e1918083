"""kernel.lock_practitioner: the row lock that serialises a practitioner's bookings. Outside a
transaction it would be let go at once, so it refuses to run; inside a booking transaction it is
asked of the database once, however many checks want it."""

import pytest
from django.db import transaction

from tests.factories import PatientFactory, appointment_type
from tests.treatments.factories_calendar import DAY, at
from treatments.scheduling.services.booking import appointment_book
from treatments.scheduling.services.kernel.slots import booking_transaction, lock_practitioner

NOW = at(DAY, 7)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_lock_refuses_to_run(clinic):
    practitioner, _location = clinic
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        lock_practitioner(practitioner)


@pytest.mark.django_db(transaction=True)
def test_inside_a_plain_transaction_it_locks(clinic, lock_count):
    practitioner, _location = clinic
    with lock_count() as queries, transaction.atomic():
        lock_practitioner(practitioner)
    assert queries.locks == 1


def test_a_booking_transaction_asks_for_the_lock_once(clinic, lock_count):
    practitioner, _location = clinic
    with lock_count() as queries, booking_transaction():
        lock_practitioner(practitioner)
        lock_practitioner(practitioner)
    assert queries.locks == 1


def test_a_booking_made_inside_another_booking_transaction_does_not_lock_again(clinic, lock_count):
    """As online booking does: the hold's transaction locks, then books through the desk's service."""
    practitioner, location = clinic
    with lock_count() as queries, booking_transaction():
        lock_practitioner(practitioner)
        appointment_book(
            patient=PatientFactory(),
            practitioner=practitioner,
            location=location,
            appointment_type=appointment_type("follow-up"),
            start=at(DAY, 9),
            by=None,
            now=NOW,
        )
    assert queries.locks == 1


def test_each_booking_transaction_takes_its_own_lock(clinic, lock_count):
    practitioner, _location = clinic
    with lock_count() as queries:
        for _ in range(2):
            with booking_transaction():
                lock_practitioner(practitioner)
    assert queries.locks == 2


def test_a_lock_taken_in_an_inner_transaction_that_failed_is_taken_again(clinic, lock_count):
    """A rolled-back savepoint lets its locks go on PostgreSQL: the outer one must not trust it."""
    practitioner, _location = clinic
    with lock_count() as queries, booking_transaction():
        with pytest.raises(ValueError), booking_transaction():
            lock_practitioner(practitioner)
            raise ValueError
        lock_practitioner(practitioner)
    assert queries.locks == 2


def test_one_desk_booking_locks_its_practitioner_once(clinic, lock_count):
    practitioner, location = clinic
    with lock_count() as queries:
        appointment_book(
            patient=PatientFactory(),
            practitioner=practitioner,
            location=location,
            appointment_type=appointment_type("follow-up"),
            start=at(DAY, 9),
            by=None,
            now=NOW,
        )
    assert queries.locks == 1
