"""Which fee applies: the one rule every caller (check-out, a new invoice line, packages) uses."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from billing.models import Fee


def _valid_on(day: dt.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def fee_for_type(*, appointment_type_id: int, day: dt.date) -> Fee | None:
    """The appointment type's visit fee valid on `day`; the latest-starting one wins an overlap."""
    return (
        Fee.objects.filter(_valid_on(day), appointment_type_id=appointment_type_id)
        .order_by("-valid_from", "-id")
        .first()
    )


def fee_for_protocol(*, protocol_id: int, day: dt.date) -> Fee | None:
    """The protocol's package fee valid on `day`."""
    return Fee.objects.filter(_valid_on(day), protocol_id=protocol_id).order_by("-valid_from", "-id").first()


def fees_valid_on(day: dt.date) -> list[Fee]:
    """Every fee valid on `day` (the new-line form's choices), one query."""
    return list(
        Fee.objects.filter(_valid_on(day)).select_related("appointment_type", "protocol").order_by("description")
    )
