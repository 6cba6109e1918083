"""The patient sees a freed time offered from the waitlist in their portal and takes it; a later
claimer reads "already taken"; the desk reads every offer and its outcome."""

import datetime as dt

import pytest
from django.test import Client

from tests.factories import PatientFactory, appointment_type
from tests.treatments.factories_calendar import DAY, at, booking, practitioner_with_hours
from tests.treatments.factories_portal import clear_cache, issue_link  # noqa: F401
from treatments.models import Appointment, WaitlistOffer
from treatments.scheduling.services.booking import appointment_cancel
from treatments.scheduling.services.waitlist import waitlist_add

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]
NOW = at(DAY, 8)
SLOT = at(DAY + dt.timedelta(days=21), 10)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def offered():
    clinic = practitioner_with_hours()
    ann, bob = PatientFactory(first_name="Ann"), PatientFactory(first_name="Bob")
    for minutes, patient in enumerate([ann, bob]):
        waitlist_add(
            patient=patient,
            practitioner=clinic[0],
            appointment_type=appointment_type("injection"),
            by=None,
            now=NOW + dt.timedelta(minutes=minutes),
        )
    freed = booking(*clinic, SLOT)
    appointment_cancel(appointment=freed, kind="patient", reason="away", by=None, now=NOW)
    offers = {o.entry.patient.first_name: o for o in WaitlistOffer.objects.filter(freed=freed)}
    return {
        "ann": (issue_link(ann, now=NOW), offers["Ann"]),
        "bob": (issue_link(bob, now=NOW), offers["Bob"]),
    }


def test_the_portal_home_shows_the_offer_and_the_first_claim_books_the_time(client, offered):
    token, offer = offered["ann"]
    home = client.get(f"/portal/{token}/").content.decode()
    assert "A time has come free for you" in home
    assert f"/portal/{token}/offers/{offer.pk}/" in home
    page = client.get(f"/portal/{token}/offers/{offer.pk}/").content.decode()
    assert "Take this time" in page
    assert "whoever takes it first gets it" in page
    response = client.post(f"/portal/{token}/offers/{offer.pk}/")
    assert response.status_code == 302
    assert Appointment.objects.get(patient=offer.entry.patient).start == SLOT
    assert "The time is yours" in client.get(f"/portal/{token}/").content.decode()


def test_the_second_claimer_reads_already_taken_and_gets_nothing(offered):
    ann_token, ann_offer = offered["ann"]
    bob_token, bob_offer = offered["bob"]
    assert Client().post(f"/portal/{bob_token}/offers/{bob_offer.pk}/").status_code == 302
    late = Client().post(f"/portal/{ann_token}/offers/{ann_offer.pk}/")
    assert late.status_code == 409
    assert "someone else took this time first" in late.content.decode()
    assert "Take this time" not in late.content.decode()
    assert not Appointment.objects.filter(patient=ann_offer.entry.patient).exists()


def test_an_expired_offer_reads_expired(client, offered, time_machine):
    token, offer = offered["ann"]
    time_machine.move_to(offer.expires_at, tick=False)
    assert "this offer has expired" in client.get(f"/portal/{token}/offers/{offer.pk}/").content.decode()
    response = client.post(f"/portal/{token}/offers/{offer.pk}/")
    assert response.status_code == 409
    assert not Appointment.objects.filter(patient=offer.entry.patient).exists()


def test_another_patients_offer_is_a_404(client, offered):
    ann_token, _ann_offer = offered["ann"]
    _bob_token, bob_offer = offered["bob"]
    assert client.get(f"/portal/{ann_token}/offers/{bob_offer.pk}/").status_code == 404
    assert client.post(f"/portal/{ann_token}/offers/{bob_offer.pk}/").status_code == 404
    assert client.get(f"/portal/{ann_token}/offers/999999/").status_code == 404
    assert not Appointment.objects.filter(start=SLOT, status="booked").exists()


def test_claims_are_rate_limited_per_client(client, offered):
    token, offer = offered["ann"]
    WaitlistOffer.objects.filter(pk=offer.pk).update(expires_at=NOW + dt.timedelta(seconds=1))
    for _ in range(20):
        client.post(f"/portal/{token}/offers/{offer.pk}/")
    assert client.post(f"/portal/{token}/offers/{offer.pk}/").status_code == 429


def test_the_desk_sees_every_offer_and_its_outcome(desk_client, offered):
    _bob_token, bob_offer = offered["bob"]
    Client().post(f"/portal/{offered['bob'][0]}/offers/{bob_offer.pk}/")
    page = desk_client.get("/desk/waitlist/").content.decode()
    assert "Offers sent to patients" in page
    table = page[page.index('id="waitlist-offers"') :]
    assert "Ann" in table and "Bob" in table
    assert "Claimed" in table
    # Ann's offer closed the moment Bob's claim won.
    assert "Taken by someone else" in table
