"""Who may change hours and time off: the clinic admin, anyone's; a practitioner, their own time
off when the clinic allows it (ClinicSettings.practitioners_own_time_off). Anything else is 404
(a closure) or 403 (a page), as the rest of the desk does."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from clinic import roles
from clinic.access import object_or_404
from clinic.models import ClinicSettings, Closure, DatedHours, Practitioner


def own_practitioner(user) -> Practitioner | None:
    """The practitioner a user may add time off for themselves, or None."""
    if not roles.has_role(user, roles.PRACTITIONER) or not ClinicSettings.load().practitioners_own_time_off:
        return None
    return Practitioner.objects.filter(user=user, active=True).first()


def time_off_owner(user) -> Practitioner | None:
    """None for the clinic admin (anyone's); the user's own practitioner when allowed; else 403."""
    if roles.has_role(user, roles.CLINIC_ADMIN):
        return None
    own = own_practitioner(user)
    if own is None:
        raise PermissionDenied
    return own


def closure_for(user, pk: int | str) -> Closure:
    queryset = Closure.objects.select_related("practitioner", "location")
    if roles.has_role(user, roles.CLINIC_ADMIN):
        return object_or_404(queryset, pk, user=user, allowed=[roles.CLINIC_ADMIN])
    own = own_practitioner(user)
    if own is None:
        raise Http404
    return object_or_404(queryset.filter(practitioner=own), pk, user=user, allowed=[roles.PRACTITIONER])


def practitioner_for_setup(user, pk: int | str) -> Practitioner:
    return object_or_404(Practitioner.objects.all(), pk, user=user, allowed=[roles.CLINIC_ADMIN])


def dated_hours_for(user, pk: int | str) -> DatedHours:
    """Extra hours on a date: the clinic admin's to change (404 for anyone else)."""
    return object_or_404(
        DatedHours.objects.select_related("practitioner", "location"), pk, user=user, allowed=[roles.CLINIC_ADMIN]
    )
