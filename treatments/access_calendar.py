"""Ids from the calendar pages become objects here: 404 for anything the user may not see."""

from django.http import Http404

from clinic import roles
from clinic.models import Practitioner

from .models import Appointment, WaitlistEntry


def _int(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def appointment_for(user, pk: int | str) -> Appointment:
    if not roles.has_role(user, *roles.ALL_ROLES):
        raise Http404
    try:
        return Appointment.objects.select_related(
            "patient", "practitioner", "location", "appointment_type", "series"
        ).get(pk=_int(pk))
    except Appointment.DoesNotExist:
        raise Http404 from None


def practitioner_for(user, pk: int | str) -> Practitioner:
    if not roles.has_role(user, *roles.ALL_ROLES):
        raise Http404
    try:
        return Practitioner.objects.get(pk=_int(pk))
    except Practitioner.DoesNotExist:
        raise Http404 from None


def waitlist_entry_for(user, pk: int | str) -> WaitlistEntry:
    if not roles.has_role(user, *roles.ALL_ROLES):
        raise Http404
    try:
        return WaitlistEntry.objects.select_related("patient", "practitioner", "appointment").get(pk=_int(pk))
    except WaitlistEntry.DoesNotExist:
        raise Http404 from None
