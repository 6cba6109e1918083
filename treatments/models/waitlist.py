"""The waitlist: patients waiting for an earlier slot, and the freed slots offered to them."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from clinic.models import AppointmentType, Practitioner
from patients.models import Patient

from .appointments import Appointment


class WaitlistEntry(models.Model):
    """A patient waiting for an earlier slot with a practitioner, optionally for one session."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="waitlist_entries")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="waitlist_entries")
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Who took the entry off the waitlist (a desk user; empty for entries resolved before this was kept).
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = _("waitlist entries")
        # One open entry per patient and practitioner for the same session (or for none): two
        # desks adding the same patient at once both pass the service's check, one insert fails.
        # Two constraints because NULLs are distinct in a unique index on both databases.
        constraints = [
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(resolved_at__isnull=True, appointment__isnull=False),
                name="waitlist_entry_one_open_per_session",
            ),
            models.UniqueConstraint(
                fields=["patient", "practitioner"],
                condition=Q(resolved_at__isnull=True, appointment__isnull=True),
                name="waitlist_entry_one_open_without_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} waits for {self.practitioner}"


class WaitlistOffer(models.Model):
    """A freed slot offered to one waitlist entry. Several entries may be offered the same slot;
    the first claim wins, and the database allows one claimed offer per freed slot."""

    class Status(models.TextChoices):
        OPEN = "open", _("Offered")
        CLAIMED = "claimed", _("Claimed")
        TAKEN = "taken", _("Taken by someone else")

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    # The cancelled appointment whose time is offered: it names the slot (practitioner, place, time).
    freed = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="offers_of_slot")
    rank = models.PositiveSmallIntegerField(help_text=_("Place in the clinic's order when offered (1 = first)."))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    booked = models.ForeignKey(Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "rank"]
        constraints = [
            # Two patients pressing "take it" at once: the second insert of "claimed" fails here.
            models.UniqueConstraint(
                fields=["freed"], condition=Q(status="claimed"), name="waitlist_offer_slot_claimed_once"
            ),
            models.UniqueConstraint(fields=["freed", "entry"], name="waitlist_offer_once_per_entry"),
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="waitlist_offer_expires_after"),
        ]

    def __str__(self) -> str:
        return f"Offer {self.pk} of appointment {self.freed_id} to entry {self.entry_id}"

    def outcome(self, now: datetime) -> str:
        """What the desk reads: offered, expired, claimed or taken by someone else."""
        if self.status == self.Status.OPEN and self.expires_at <= now:
            return str(_("Expired"))
        return self.get_status_display()
