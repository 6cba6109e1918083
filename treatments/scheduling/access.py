"""Ids from the desk's pages become objects here, or 404: staff roles only (the desk,
practitioners and the admin all work with every patient of the one clinic)."""

from clinic.access import object_or_404
from clinic.models import Practitioner
from treatments.models import Appointment, TreatmentSeries, WaitlistEntry


def series_for(user, pk: int | str) -> TreatmentSeries:
    queryset = TreatmentSeries.objects.select_related(
        "patient", "protocol__appointment_type", "practitioner", "location"
    )
    return object_or_404(queryset, pk, user=user)


def appointment_for(user, pk: int | str) -> Appointment:
    queryset = Appointment.objects.select_related(
        "patient", "practitioner", "location", "appointment_type", "series__protocol", "room"
    )
    return object_or_404(queryset, pk, user=user)


def practitioner_for(user, pk: int | str) -> Practitioner:
    return object_or_404(Practitioner.objects.all(), pk, user=user)


def waitlist_entry_for(user, pk: int | str) -> WaitlistEntry:
    queryset = WaitlistEntry.objects.select_related("patient", "practitioner", "appointment")
    return object_or_404(queryset, pk, user=user)
