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
    return fees_for_protocols({protocol_id}, day=day).get(protocol_id)


def fees_for_protocols(protocol_ids: set[int], *, day: dt.date) -> dict[int, Fee]:
    """Each protocol's package fee valid on `day` (the latest-starting one wins), one query."""
    found: dict[int, Fee] = {}
    for fee in Fee.objects.filter(_valid_on(day), protocol_id__in=protocol_ids).order_by("-valid_from", "-id"):
        found.setdefault(fee.protocol_id or 0, fee)
    return found


def fees_valid_on(day: dt.date) -> list[Fee]:
    """Every fee valid on `day` (the new-line form's choices), one query."""
    return list(
        Fee.objects.filter(_valid_on(day)).select_related("appointment_type", "protocol").order_by("description")
    )


def visit_fees(appointment_type_ids: set[int]) -> list[Fee]:
    """Every visit fee of these types, the latest-starting first (one query), for `fee_on`."""
    return list(Fee.objects.filter(appointment_type_id__in=appointment_type_ids).order_by("-valid_from", "-id"))


def fee_on(fees: list[Fee], *, appointment_type_id: int, day: dt.date) -> Fee | None:
    """fee_for_type's rule over fees already read (visit_fees): the type's fee valid on `day`."""
    for fee in fees:
        valid = fee.valid_from <= day and (fee.valid_to is None or fee.valid_to >= day)
        if fee.appointment_type_id == appointment_type_id and valid:
            return fee
    return None
