"""Who may open which clinical object. Every practice view turns an id into an object here; anything
the user may not see is a 404, so a guessed URL tells nothing about what exists.

The rule: clinical records are read and written by practitioners and the clinic admin only. A
practitioner records only their OWN appointments (or one the clinic admin handed them); the admin
opens any record to read it and hand it over, never to write it; a series' progress and
its printable summary may be read by any clinician, as colleagues cover for each other."""

from django.http import Http404

from clinic import roles
from clinic.access import object_or_404
from clinic.models import Practitioner
from patients.models import Patient
from treatments.models import Appointment, Attachment, SessionRecord, TreatmentSeries


def practitioner_of(user) -> Practitioner | None:
    """The Practitioner row of a signed-in user, or None (an admin often has none)."""
    try:
        return user.practitioner
    except Practitioner.DoesNotExist:
        return None


def may_record(user, appointment: Appointment) -> bool:
    """Who may OPEN a record: the clinic admin (to read it and hand it over), the appointment's
    practitioner, and the one the record was handed over to. Who may WRITE it is narrower:
    services/records.py's `write_refusal` (the one writer, never the admin)."""
    if not roles.is_clinical(user):
        return False
    if roles.has_role(user, roles.CLINIC_ADMIN):
        return True
    own = practitioner_of(user)
    if own is None:
        return False
    return (
        appointment.practitioner_id == own.pk
        or SessionRecord.objects.filter(appointment=appointment, handed_to=own).exists()
    )


def appointment_for_record(user, pk) -> Appointment:
    """The appointment whose session record the user may open: their own, or any for the admin."""
    queryset = Appointment.objects.select_related("patient", "practitioner", "series__protocol", "appointment_type")
    appointment = object_or_404(queryset, pk, user=user, allowed=roles.CLINICAL_ROLES)
    if not may_record(user, appointment):
        raise Http404
    return appointment


def series_for_clinical(user, pk) -> TreatmentSeries:
    """A series whose clinical progress the user may read: any series, for clinicians only."""
    queryset = TreatmentSeries.objects.select_related("patient", "protocol", "practitioner", "location")
    return object_or_404(queryset, pk, user=user, allowed=roles.CLINICAL_ROLES)


def patient_for_clinical(user, pk) -> Patient:
    """A patient whose clinical documents the user may read and add: any, for clinicians only."""
    return object_or_404(Patient.objects.all(), pk, user=user, allowed=roles.CLINICAL_ROLES)


def attachment_for(user, pk) -> Attachment:
    """An attachment to download: clinicians only. The desk gets the same 404 as for nothing."""
    return object_or_404(Attachment.objects.select_related("patient"), pk, user=user, allowed=roles.CLINICAL_ROLES)
