"""Ids from billing's pages become objects here, or 404 (clinic.access.object_or_404): staff roles
only, like the desk's other pages (one clinic: every staff member works with every patient)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from billing.models import Invoice, Payment
from clinic import roles
from clinic.access import object_or_404
from clinic.models import Location
from treatments.models import Appointment


def invoice_for(user: User | AnonymousUser, pk: int | str) -> Invoice:
    return object_or_404(Invoice.objects.select_related("patient", "location", "practitioner"), pk, user=user)


def payment_for(user: User | AnonymousUser, pk: int | str) -> Payment:
    return object_or_404(Payment.objects.select_related("patient", "location", "taken_by"), pk, user=user)


def location_for(user: User | AnonymousUser, pk: int | str) -> Location:
    return object_or_404(Location.objects.all(), pk, user=user)


def may_code_visit(user: User | AnonymousUser, appointment: Appointment) -> bool:
    """The visit's own practitioner, or the clinic admin, chooses the code it is billed with
    (the codes-per-visit page shows the others' visits read-only; the service refuses them)."""
    if roles.has_role(user, roles.CLINIC_ADMIN):
        return True
    return roles.has_role(user, roles.PRACTITIONER) and appointment.practitioner.user_id == user.pk
