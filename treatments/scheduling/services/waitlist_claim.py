"""Claiming a waitlist offer: the first claim of a slot wins. Enforced by the database twice: a
unique constraint allows one claimed offer per freed slot (a second claimer's update fails, even
at the same instant), and the booking services' own overlap constraints refuse a slot the desk
filled meanwhile. Either way the later claimer is told "already taken" and nothing changes. Claims
of one slot also queue on the freed appointment's row lock, so they fail cleanly instead of
deadlocking (tests/treatments/scheduling/test_waitlist_offers.py races ten on PostgreSQL)."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clinic.integrity import constraint_name, integrity_message
from treatments.models import Appointment, WaitlistEntry, WaitlistOffer
from treatments.scheduling.services.booking import BookingError, SlotTaken, appointment_book, appointment_move
from treatments.scheduling.services.waitlist_offers import claim_room


class OfferError(Exception):
    """A claim that cannot succeed; the message is shown to the patient."""


class OfferTaken(OfferError):
    def __init__(self) -> None:
        super().__init__(_("Sorry, someone else took this time first. Your booking stays as it was."))


def waitlist_offer_claim(*, offer: WaitlistOffer, now: dt.datetime) -> Appointment:
    """Move the entry's waiting session into the offered slot (appointment_move, history by=None),
    or book it for an entry without one (appointment_book); close the entry and the other offers."""
    try:
        with transaction.atomic():
            # Claimers of one slot queue on the freed appointment's row, always first: without it,
            # a winner closing the other offers and a loser waiting on the unique index deadlock.
            list(Appointment.objects.select_for_update().filter(pk=offer.freed_id).values_list("pk"))
            offer = (
                WaitlistOffer.objects.select_for_update(of=("self",))
                .select_related("entry__patient", "entry__appointment", "entry__appointment_type", "freed")
                .get(pk=offer.pk)
            )
            _require_open(offer, now)
            try:
                with transaction.atomic():
                    updated = WaitlistOffer.objects.filter(pk=offer.pk, status=WaitlistOffer.Status.OPEN).update(
                        status=WaitlistOffer.Status.CLAIMED, decided_at=now
                    )
            except IntegrityError as exc:
                if constraint_name(exc) != "waitlist_offer_slot_claimed_once":
                    raise OfferError(integrity_message(exc)) from exc
                raise OfferTaken() from exc
            if not updated:
                raise OfferTaken()
            booked = _book(offer, now)
            WaitlistOffer.objects.filter(pk=offer.pk).update(booked=booked)
            WaitlistOffer.objects.filter(freed=offer.freed, status=WaitlistOffer.Status.OPEN).update(
                status=WaitlistOffer.Status.TAKEN, decided_at=now
            )
            WaitlistEntry.objects.filter(pk=offer.entry_id, resolved_at__isnull=True).update(resolved_at=now)
    except OfferTaken:
        _mark_taken(offer, now)
        raise
    return booked


def _require_open(offer: WaitlistOffer, now: dt.datetime) -> None:
    if offer.status == WaitlistOffer.Status.CLAIMED:
        raise OfferError(_("You already took this time."))
    if offer.status == WaitlistOffer.Status.TAKEN:
        raise OfferTaken()
    if WaitlistOffer.objects.filter(freed=offer.freed_id, status=WaitlistOffer.Status.CLAIMED).exists():
        raise OfferTaken()
    if offer.expires_at <= now:
        raise OfferError(_("Sorry, this offer has expired. Your booking stays as it was."))
    if offer.entry.resolved_at is not None:
        raise OfferError(_("You are no longer on the waiting list for this. Your booking stays as it was."))


def _book(offer: WaitlistOffer, now: dt.datetime) -> Appointment:
    entry, freed = offer.entry, offer.freed
    reason = _("Took a time that came free (waitlist)")
    try:
        if entry.appointment is not None:
            moved = appointment_move(
                appointment=entry.appointment,
                start=freed.start,
                by=None,
                now=now,
                reason=reason,
                by_patient=True,
                room=claim_room(appointment=entry.appointment, freed=freed, now=now),
            )
            return moved[0] if moved else entry.appointment
        return appointment_book(
            patient=entry.patient,
            practitioner=freed.practitioner,
            location=freed.location,
            appointment_type=entry.appointment_type,
            start=freed.start,
            by=None,
            now=now,
        )
    except BookingError as exc:
        # Taken only when someone now holds the time; any other refusal (the patient's own
        # booking then, their room, the series' window since) is said as the booking says it, and
        # the entry keeps waiting (this transaction is undone).
        if isinstance(exc, SlotTaken) or _filled(freed, entry):
            raise OfferTaken() from exc
        raise OfferError(
            _("Sorry, you cannot take this time: %(reason)s Your booking stays as it was, and you stay on the list.")
            % {"reason": exc.message}
        ) from exc


def _filled(freed: Appointment, entry: WaitlistEntry) -> bool:
    """Whether another live appointment now holds the freed time with its practitioner."""
    return (
        Appointment.objects.filter(
            practitioner_id=freed.practitioner_id,
            status__in=Appointment.LIVE_STATUSES,
            start__lt=freed.end,
            end__gt=freed.start,
        )
        .exclude(pk=entry.appointment_id or 0)
        .exists()
    )


def _mark_taken(offer: WaitlistOffer, now: dt.datetime) -> None:
    """A claim that lost: the offer reads "taken" on the desk's page from now on."""
    WaitlistOffer.objects.filter(pk=offer.pk, status=WaitlistOffer.Status.OPEN).update(
        status=WaitlistOffer.Status.TAKEN, decided_at=now
    )
