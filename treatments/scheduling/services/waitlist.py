"""The waitlist: a patient waits for an earlier slot with a practitioner, optionally for one booked
session. Booking the freed slot itself goes through the booking services."""

import datetime as dt

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clinic.integrity import integrity_message
from clinic.models import AppointmentType, Practitioner
from patients.models import Patient
from treatments.models import Appointment, WaitlistEntry


class WaitlistError(Exception):
    """A refusal the desk can read."""


def waitlist_add(
    *,
    patient: Patient,
    practitioner: Practitioner,
    appointment_type: AppointmentType,
    by: User,
    now: dt.datetime,
    appointment: Appointment | None = None,
    note: str = "",
) -> WaitlistEntry:
    with transaction.atomic():
        if appointment is not None:
            if appointment.patient_id != patient.pk:
                raise WaitlistError(_("That appointment belongs to another patient."))
            if not appointment.is_live or appointment.start <= now:
                raise WaitlistError(_("Only an upcoming, booked appointment can wait for an earlier slot."))
        # One open entry per patient, practitioner and session is the database's rule
        # (WaitlistEntry.Meta): two desks adding the same patient at once cannot both succeed.
        try:
            with transaction.atomic():
                return WaitlistEntry.objects.create(
                    patient=patient,
                    practitioner=practitioner,
                    appointment=appointment,
                    appointment_type=appointment_type,
                    note=note.strip(),
                    created_at=now,
                    created_by=by,
                )
        except IntegrityError as exc:
            raise WaitlistError(integrity_message(exc)) from exc


def waitlist_resolve(*, entry: WaitlistEntry, by: User, now: dt.datetime) -> WaitlistEntry:
    """Take the entry off the waitlist (the patient was offered a slot, or no longer waits), noting
    who did."""
    with transaction.atomic():
        updated = WaitlistEntry.objects.filter(pk=entry.pk, resolved_at__isnull=True).update(
            resolved_at=now, resolved_by=by
        )
        if not updated:
            raise WaitlistError(_("This entry is no longer on the waitlist."))
    entry.refresh_from_db()
    return entry
