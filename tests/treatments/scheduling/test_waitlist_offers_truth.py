"""A waitlist offer goes out only for a time the claimant can take (issue 19, item 1): the same
check as a booking — the kernel's one slot check (hours, location, the room, the patient's own
bookings) and the series window. A claim refused for another reason than a faster claimant says
that reason and leaves the entry waiting; the offer e-mail links to the offer page."""

import datetime as dt
import re

import pytest
from django.core import mail

from notifications import delivery
from tests.factories import PatientFactory, RoomFactory, appointment_type
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours, series_booking
from treatments.models import Appointment, WaitlistEntry, WaitlistOffer
from treatments.scheduling.services.booking import appointment_cancel
from treatments.scheduling.services.waitlist import waitlist_add
from treatments.scheduling.services.waitlist_claim import OfferError, OfferTaken, waitlist_offer_claim

pytestmark = pytest.mark.django_db

NOW = at(DAY, 8)
WEEK = dt.timedelta(days=7)
SLOT = at(DAY + 3 * WEEK, 10)  # Tue 7 Apr 10:00, inside session 2's window (7-21 Apr)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def clinic():
    patel, main = practitioner_with_hours("Dr Priya Patel")
    okafor, _ = practitioner_with_hours("Dr Ken Okafor", location=main)
    return patel, okafor, main


def _walker_waiting_with_session_two(patel, main, *, room=None):
    walker = PatientFactory(first_name="Walt", last_name="Walker")
    starts = [at(DAY, 9), at(DAY + 4 * WEEK, 9), at(DAY + 8 * WEEK, 9)]
    _series, sessions = series_booking(patel, main, starts, patient=walker)
    second = sessions[1]
    if room is not None:
        Appointment.objects.filter(pk=second.pk).update(room=room)
        second.refresh_from_db()
    entry = waitlist_add(
        patient=walker,
        practitioner=patel,
        appointment_type=second.appointment_type,
        appointment=second,
        by=None,
        now=NOW,
    )
    return walker, second, entry


def _cancel_patels_slot(patel, main):
    freed = booking(patel, main, SLOT)
    appointment_cancel(appointment=freed, kind="patient", reason="away", by=None, now=NOW)
    return freed


def test_no_offer_for_a_time_when_the_patients_room_is_taken(clinic):
    patel, okafor, main = clinic
    room = RoomFactory(location=main, name="Room 2")
    _walker, _second, _entry = _walker_waiting_with_session_two(patel, main, room=room)
    booking(okafor, main, SLOT, room=room)  # Room 2 is Dr Okafor's then

    _cancel_patels_slot(patel, main)

    assert not WaitlistOffer.objects.exists()


def test_a_time_whose_own_room_came_free_is_offered_and_taken_in_that_room(clinic):
    """Walker's session is in Room 2, Dr Okafor's then; the cancelled booking leaves Room 1 free at
    that time: the claim moves him there, in Room 1, as a booking of a free room would."""
    patel, okafor, main = clinic
    room_1, room_2 = RoomFactory(location=main, name="Room 1"), RoomFactory(location=main, name="Room 2")
    _walker, second, _entry = _walker_waiting_with_session_two(patel, main, room=room_2)
    booking(okafor, main, SLOT, room=room_2)
    freed = booking(patel, main, SLOT, room=room_1)
    appointment_cancel(appointment=freed, kind="patient", reason="away", by=None, now=NOW)

    offer = WaitlistOffer.objects.get()
    moved = waitlist_offer_claim(offer=offer, now=NOW)

    second.refresh_from_db()
    assert moved.pk == second.pk
    assert (second.start, second.room) == (SLOT, room_1)


def test_no_offer_for_a_time_the_patient_already_has_another_booking(clinic):
    patel, okafor, main = clinic
    amelia = PatientFactory(first_name="Amelia")
    waitlist_add(patient=amelia, practitioner=patel, appointment_type=appointment_type("follow-up"), by=None, now=NOW)
    booking(okafor, main, SLOT, patient=amelia, slug="follow-up")  # she sees Dr Okafor then

    _cancel_patels_slot(patel, main)

    assert not WaitlistOffer.objects.exists()


def test_a_claim_refused_for_the_patients_own_reason_says_it_and_leaves_the_entry_waiting(clinic):
    patel, okafor, main = clinic
    walker, second, entry = _walker_waiting_with_session_two(patel, main)
    freed = _cancel_patels_slot(patel, main)
    offer = WaitlistOffer.objects.get(freed=freed)
    booking(okafor, main, SLOT, patient=walker, slug="follow-up")  # booked elsewhere meanwhile

    with pytest.raises(OfferError) as refused:
        waitlist_offer_claim(offer=offer, now=NOW)

    assert not isinstance(refused.value, OfferTaken)
    assert "already has an appointment then" in str(refused.value)
    assert "someone else" not in str(refused.value)
    offer.refresh_from_db()
    entry.refresh_from_db()
    second.refresh_from_db()
    assert offer.status != WaitlistOffer.Status.TAKEN and entry.resolved_at is None
    assert second.start == at(DAY + 4 * WEEK, 9)


def test_a_claim_of_a_time_someone_else_booked_meanwhile_still_reads_taken(clinic):
    patel, _okafor, main = clinic
    _walker, _second, entry = _walker_waiting_with_session_two(patel, main)
    offer = WaitlistOffer.objects.get(freed=_cancel_patels_slot(patel, main))
    booking(patel, main, SLOT)  # the desk filled it

    with pytest.raises(OfferTaken):
        waitlist_offer_claim(offer=offer, now=NOW)


def test_the_offer_email_links_to_the_offer_page(clinic):
    patel, _okafor, main = clinic
    _walker_waiting_with_session_two(patel, main)
    offer = WaitlistOffer.objects.get(freed=_cancel_patels_slot(patel, main))

    delivery.messages_sweep(now=NOW)

    [email] = [m for m in mail.outbox if "earlier time" in m.subject]
    assert re.search(rf"/portal/[^/\s]+/offers/{offer.pk}/", email.body), email.body
    assert WaitlistEntry.objects.get().resolved_at is None
