"""Offering a freed slot to the waitlist. When an appointment is cancelled, every open entry the
slot fits (selectors.waitlist.waitlist_candidates: the same window as the move service) gets an
offer, ranked in the clinic's order, and a message by their channel linking to their portal. The
first claim wins (services/waitlist_claim.py). Called by appointment_cancel inside its transaction,
so an offer exists only for a cancellation that happened."""

import datetime as dt

from clinic.models import ClinicSettings, Room
from notifications.models import Message
from notifications.services import Planned, messages_plan
from treatments.models import Appointment, WaitlistEntry, WaitlistOffer
from treatments.scheduling.selectors.waitlist import waitlist_candidates
from treatments.scheduling.services.kernel.slots import slot_args_for, slot_problem


def offer_expiry(*, freed: Appointment, clinic: ClinicSettings, now: dt.datetime) -> dt.datetime:
    # Never claimable once the slot has started: nobody can arrive in the past.
    return min(now + dt.timedelta(hours=clinic.waitlist_offer_hours), freed.start)


def claim_room(*, appointment: Appointment, freed: Appointment, now: dt.datetime) -> Room | None:
    """The room a waiting session moves into at the freed time: None (its own) when its own is
    free then or no other would do, else the freed booking's room -- free since that booking
    was cancelled, at the same place: a booking takes any free room, not only the one it had."""
    if slot_problem(**slot_args_for(appointment, freed.start, now=now)) is None:
        return None
    if freed.room is None or freed.room_id == appointment.room_id or freed.location_id != appointment.location_id:
        return None
    return freed.room


def claim_problem(*, entry: WaitlistEntry, freed: Appointment, now: dt.datetime) -> str | None:
    """Why `entry` could not take the time `freed` left, in the booking's own words, or None. The
    same check the claim's write makes (services/waitlist_claim.py): the waiting session moved
    there (its practitioner, place, patient, and its room or the freed one: claim_room) or a new
    booking of the entry's type with the freed time's practitioner and place — the kernel's one
    slot check, without the lock."""
    if entry.appointment is not None:
        room = claim_room(appointment=entry.appointment, freed=freed, now=now)
        return slot_problem(**slot_args_for(entry.appointment, freed.start, now=now, room=room))
    return slot_problem(
        patient=entry.patient,
        practitioner=freed.practitioner,
        location=freed.location,
        appointment_type=entry.appointment_type,
        start=freed.start,
        now=now,
        room=None,
    )


def waitlist_offers_make(*, freed: Appointment, now: dt.datetime) -> list[WaitlistOffer]:
    """One offer per fitting entry for the slot `freed` left; none twice to the same entry. An
    entry fits when the series window allows it (waitlist_candidates) and the claim would pass the
    booking's slot check (claim_problem): an offer the patient could never take is never sent."""
    if freed.status != Appointment.Status.CANCELLED or freed.start <= now:
        return []
    candidates = [
        c
        for c in waitlist_candidates(freed=freed, now=now)
        if claim_problem(entry=c.entry, freed=freed, now=now) is None
    ]
    if not candidates:
        return []
    clinic = ClinicSettings.load()
    expires = offer_expiry(freed=freed, clinic=clinic, now=now)
    already = set(WaitlistOffer.objects.filter(freed=freed).values_list("entry_id", flat=True))
    offers = [
        WaitlistOffer(entry=c.entry, freed=freed, rank=rank, created_at=now, expires_at=expires)
        for rank, c in enumerate(candidates, start=1)
        if c.entry.pk not in already
    ]
    if not offers:
        return []
    # A concurrent cancellation of the same slot cannot offer twice (unique per entry and slot).
    WaitlistOffer.objects.bulk_create(offers, ignore_conflicts=True)
    offers = list(
        WaitlistOffer.objects.filter(freed=freed, entry__in=[o.entry for o in offers])
        .select_related("entry__patient")
        .order_by("rank")
    )
    for offer in offers:
        messages_plan(
            patient=offer.entry.patient,
            wanted=[Planned(f"offer:{offer.pk}", Message.Kind.OFFER, now, data={"offer": offer.pk})],
            now=now,
        )
    return offers
