"""Offering a freed slot to the waitlist. When an appointment is cancelled, every open entry the
slot fits (selectors.waitlist.waitlist_candidates: the same window as the move service) gets an
offer, ranked in the clinic's order, and a message by their channel linking to their portal. The
first claim wins (services/waitlist_claim.py). Called by appointment_cancel inside its transaction,
so an offer exists only for a cancellation that happened."""

import datetime as dt

from clinic.models import ClinicSettings
from notifications.models import Message
from notifications.services import Planned, messages_plan
from treatments.models import Appointment, WaitlistOffer
from treatments.scheduling.selectors.waitlist import waitlist_candidates


def offer_expiry(*, freed: Appointment, clinic: ClinicSettings, now: dt.datetime) -> dt.datetime:
    # Never claimable once the slot has started: nobody can arrive in the past.
    return min(now + dt.timedelta(hours=clinic.waitlist_offer_hours), freed.start)


def waitlist_offers_make(*, freed: Appointment, now: dt.datetime) -> list[WaitlistOffer]:
    """One offer per fitting entry for the slot `freed` left; none twice to the same entry."""
    if freed.status != Appointment.Status.CANCELLED or freed.start <= now:
        return []
    candidates = waitlist_candidates(freed=freed, now=now)
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
