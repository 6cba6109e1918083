"""Ids from the desk pages become objects here, or 404: staff roles only (the desk, practitioners
and the admin all work with every patient of the one clinic)."""

from django.http import Http404

from clinic import roles

from .models import Appointment, TreatmentSeries


def series_for(user, pk: int | str) -> TreatmentSeries:
    if not roles.has_role(user, *roles.ALL_ROLES):
        raise Http404
    try:
        return TreatmentSeries.objects.select_related(
            "patient", "protocol__appointment_type", "practitioner", "location"
        ).get(pk=int(pk))
    except (TreatmentSeries.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def appointment_for(user, pk: int | str) -> Appointment:
    if not roles.has_role(user, *roles.ALL_ROLES):
        raise Http404
    try:
        return Appointment.objects.select_related(
            "patient", "practitioner", "location", "appointment_type", "series__protocol", "room"
        ).get(pk=int(pk))
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
