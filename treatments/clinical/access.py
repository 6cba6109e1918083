"""Who may open which clinical object. Every practice view turns an id into an object here; anything
the user may not see is a 404, so a guessed URL tells nothing about what exists.

The rule: clinical records are read and written by practitioners and the clinic admin only. A
practitioner records only their OWN appointments (the admin may record any); a series' progress and
its printable summary may be read by any clinician, as colleagues cover for each other."""

from django.http import Http404

from clinic import roles
from clinic.access import object_or_404
from clinic.models import Practitioner
from patients.models import Patient
from treatments.models import Appointment, Attachment, TreatmentSeries


def practitioner_of(user) -> Practitioner | None:
    """The Practitioner row of a signed-in user, or None (an admin often has none)."""
    try:
        return user.practitioner
    except Practitioner.DoesNotExist:
        return None


def own_or_admin(user, appointment: Appointment) -> bool:
    """THE rule of who records a session: the appointment's own practitioner, or the clinic admin.
    Opening a record (may_record) and signing it (services/records.sign_refusal) both ask here."""
    if roles.has_role(user, roles.CLINIC_ADMIN):
        return True
    own = practitioner_of(user)
    return own is not None and appointment.practitioner_id == own.pk


def may_record(user, appointment: Appointment) -> bool:
    return roles.is_clinical(user) and own_or_admin(user, appointment)


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
