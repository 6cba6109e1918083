"""Ids from the desk's package and missed-visit pages become rows here, or 404 (clinic.access):
staff roles only (the desk, practitioners and the admin work with every patient of the clinic)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from billing.models import MissedVisit, Package, PackageRedemption
from clinic.access import object_or_404


def package_for(user: User | AnonymousUser, pk: int | str) -> Package:
    queryset = Package.objects.select_related(
        "patient", "series__protocol", "series__practitioner", "series__location", "invoice", "deposit_invoice"
    )
    return object_or_404(queryset, pk, user=user)


def redemption_for(user: User | AnonymousUser, pk: int | str) -> PackageRedemption:
    return object_or_404(PackageRedemption.objects.select_related("package", "appointment"), pk, user=user)


def missed_visit_for(user: User | AnonymousUser, pk: int | str) -> MissedVisit:
    queryset = MissedVisit.objects.select_related(
        "appointment__patient", "appointment__appointment_type", "appointment__practitioner", "appointment__series"
    )
    return object_or_404(queryset, pk, user=user)
