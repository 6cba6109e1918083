"""A cancellation offers the freed time to the waitlist; the first claim wins, enforced by the
database; later claims, expired offers and a slot the desk filled meanwhile change nothing."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from clinic.models import ClinicSettings
from notifications.models import Message
from tests.factories import PatientFactory, appointment_type
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours, series_booking
from treatments.models import Appointment, AppointmentChange, WaitlistOffer
from treatments.scheduling.messaging import message_facts
from treatments.scheduling.services.booking import BookingError, appointment_cancel, series_discontinue
from treatments.scheduling.services.waitlist import waitlist_add
from treatments.scheduling.services.waitlist_claim import OfferError, OfferTaken, waitlist_offer_claim

pytestmark = pytest.mark.django_db

NOW = at(DAY, 8)
WEEK = dt.timedelta(days=7)
SLOT = at(DAY + 3 * WEEK, 10)  # Tue 7 Apr 10:00


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def clinic():
    return practitioner_with_hours()


def _wait(clinic, patient, appointment=None, minutes=0):
    return waitlist_add(
        patient=patient,
        practitioner=clinic[0],
        appointment_type=appointment_type("injection"),
        appointment=appointment,
        by=None,
        now=NOW + dt.timedelta(minutes=minutes),
    )


def _cancel_slot(clinic):
    taken = booking(*clinic, SLOT)
    appointment_cancel(appointment=taken, kind="patient", reason="away", by=None, now=NOW)
    return taken


def _series_session_two(clinic, patient):
    """Knee OA: sessions 17 Mar, 14 Apr, 12 May; session 2 may move to 7-21 Apr."""
    starts = [at(DAY, 9), at(DAY + 4 * WEEK, 9), at(DAY + 8 * WEEK, 9)]
    _series, sessions = series_booking(*clinic, starts, patient=patient)
    return sessions[1]


def test_a_cancellation_offers_the_time_to_every_fitting_entry_in_the_clinics_order(clinic):
    ann, bob = PatientFactory(first_name="Ann"), PatientFactory(first_name="Bob")
    _wait(clinic, ann)
    _wait(clinic, bob, minutes=5)
    freed = _cancel_slot(clinic)
    offers = list(WaitlistOffer.objects.filter(freed=freed).order_by("rank"))
    assert [(o.entry.patient.first_name, o.rank, o.status) for o in offers] == [("Ann", 1, "open"), ("Bob", 2, "open")]
    assert offers[0].expires_at == NOW + dt.timedelta(hours=ClinicSettings.load().waitlist_offer_hours)
    messages = Message.objects.filter(kind=Message.Kind.OFFER).order_by("patient__first_name")
    assert [m.patient.first_name for m in messages] == ["Ann", "Bob"]
    facts = message_facts(list(messages), now=NOW)
    assert facts[messages[0].pk].start == SLOT


def test_the_first_claim_wins_and_the_second_is_told_it_is_taken(clinic):
    ann, bob = PatientFactory(first_name="Ann"), PatientFactory(first_name="Bob")
    _wait(clinic, ann)
    _wait(clinic, bob, minutes=5)
    freed = _cancel_slot(clinic)
    first, second = WaitlistOffer.objects.filter(freed=freed).order_by("rank")
    booked = waitlist_offer_claim(offer=second, now=NOW)
    assert (booked.patient, booked.start, booked.created_by) == (bob, SLOT, None)
    assert AppointmentChange.objects.filter(appointment=booked, kind=AppointmentChange.Kind.BOOKED, by=None).exists()
    with pytest.raises(OfferTaken, match="someone else took this time first"):
        waitlist_offer_claim(offer=first, now=NOW)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.booked) == ("taken", "claimed", booked)
    assert not Appointment.objects.filter(patient=ann).exists()
    assert second.entry.__class__.objects.get(pk=second.entry_id).resolved_at == NOW
    # The invitation still waiting in the outbox for Ann is no longer wanted.
    ann_message = Message.objects.get(kind=Message.Kind.OFFER, patient=ann)
    assert message_facts([ann_message], now=NOW)[ann_message.pk] == "The offered time was already taken."


def test_the_database_allows_one_claimed_offer_per_freed_slot(clinic):
    _wait(clinic, PatientFactory())
    _wait(clinic, PatientFactory(), minutes=5)
    freed = _cancel_slot(clinic)
    first, second = WaitlistOffer.objects.filter(freed=freed).order_by("rank")
    WaitlistOffer.objects.filter(pk=first.pk).update(status="claimed")
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistOffer.objects.filter(pk=second.pk).update(status="claimed")


def test_an_expired_offer_cannot_be_claimed(clinic):
    _wait(clinic, PatientFactory())
    offer = WaitlistOffer.objects.get(freed=_cancel_slot(clinic))
    with pytest.raises(OfferError, match="expired"):
        waitlist_offer_claim(offer=offer, now=offer.expires_at)
    offer.refresh_from_db()
    assert offer.status == "open"
    assert offer.outcome(offer.expires_at) == "Expired"


def test_a_slot_the_desk_filled_meanwhile_reads_taken_and_books_nothing(clinic):
    patient = PatientFactory()
    _wait(clinic, patient)
    offer = WaitlistOffer.objects.get(freed=_cancel_slot(clinic))
    booking(*clinic, SLOT)
    with pytest.raises(OfferTaken):
        waitlist_offer_claim(offer=offer, now=NOW)
    offer.refresh_from_db()
    assert offer.status == "taken"
    assert not Appointment.objects.filter(patient=patient).exists()


def test_a_series_session_is_moved_into_the_slot_through_the_move_service(clinic):
    patient = PatientFactory()
    second = _series_session_two(clinic, patient)
    _wait(clinic, patient, appointment=second)
    offer = WaitlistOffer.objects.get(freed=_cancel_slot(clinic))
    moved = waitlist_offer_claim(offer=offer, now=NOW)
    assert moved.pk == second.pk
    second.refresh_from_db()
    assert second.start == SLOT
    change = AppointmentChange.objects.get(appointment=second, kind=AppointmentChange.Kind.MOVED)
    assert (change.by, change.reason) == (None, "Took a time that came free (waitlist)")


def test_a_slot_outside_the_series_window_is_not_offered(clinic):
    patient = PatientFactory()
    second = _series_session_two(clinic, patient)
    _wait(clinic, patient, appointment=second)
    early = booking(*clinic, at(DAY + 2 * WEEK, 10))  # 31 Mar: before the window opens on 7 Apr
    appointment_cancel(appointment=early, kind="patient", reason="away", by=None, now=NOW)
    assert not WaitlistOffer.objects.exists()


def test_a_second_cancellation_of_nothing_new_offers_nothing_twice(clinic):
    _wait(clinic, PatientFactory())
    freed = _cancel_slot(clinic)
    from treatments.scheduling.services.waitlist_offers import waitlist_offers_make

    assert waitlist_offers_make(freed=freed, now=NOW) == []
    assert WaitlistOffer.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_patients_claiming_one_offered_slot_at_once_exactly_one_wins():
    import threading

    from django.db import connection

    from tests.treatments.factories_desk import ensure_seed

    ensure_seed()
    clinic = practitioner_with_hours()
    patients = [PatientFactory() for _ in range(10)]
    for minutes, patient in enumerate(patients):
        _wait(clinic, patient, minutes=minutes)
    freed = _cancel_slot(clinic)
    offers = list(WaitlistOffer.objects.filter(freed=freed))
    assert len(offers) == 10
    barrier = threading.Barrier(10)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(offer):
        try:
            barrier.wait()
            waitlist_offer_claim(offer=offer, now=NOW)
            result = "claimed"
        except OfferError as exc:
            result = str(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(o,)) for o in offers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("claimed") == 1, outcomes
    assert all("someone else took this time first" in o for o in outcomes if o != "claimed")
    assert Appointment.objects.filter(start=SLOT, status="booked").count() == 1
    assert WaitlistOffer.objects.filter(freed=freed, status="claimed").count() == 1


def test_discontinuing_a_series_offers_each_freed_future_session_to_the_waitlist(clinic):
    ann = PatientFactory(first_name="Ann")
    _wait(clinic, ann)
    bob = PatientFactory(first_name="Bob")
    past, second, third = at(DAY - WEEK, 9), at(DAY + WEEK, 9), at(DAY + 2 * WEEK, 9)
    series, sessions = series_booking(*clinic, [past, second, third], patient=bob)

    series_discontinue(series=series, reason="Practitioner's decision", by=None, now=NOW)

    offers = WaitlistOffer.objects.filter(entry__patient=ann).order_by("freed__start")
    assert [(o.freed_id, o.status) for o in offers] == [(sessions[1].pk, "open"), (sessions[2].pk, "open")]
    assert Message.objects.filter(kind=Message.Kind.OFFER, patient=ann).count() == 2
    # The session already past is not freed, so nothing is offered for it.
    assert not WaitlistOffer.objects.filter(freed=sessions[0]).exists()


def test_a_refused_discontinue_makes_no_offers(clinic):
    _wait(clinic, PatientFactory(first_name="Ann"))
    series, _sessions = series_booking(*clinic, [at(DAY + WEEK, 9)])
    with pytest.raises(BookingError, match="Give a reason"):
        series_discontinue(series=series, reason=" ", by=None, now=NOW)
    assert not WaitlistOffer.objects.exists()
