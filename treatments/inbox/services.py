"""Writes of the desk's inbox."""

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction

from treatments.models import PainCheckIn, SeriesRequest


def checkin_acknowledge(*, checkin: PainCheckIn, by: User, now: dt.datetime) -> bool:
    """The desk has called the patient back. Returns False when someone else already had."""
    with transaction.atomic():
        updated = PainCheckIn.objects.filter(pk=checkin.pk, acknowledged_at__isnull=True).update(
            acknowledged_by=by, acknowledged_at=now
        )
    return bool(updated)


def series_request_resolve(*, series_request: SeriesRequest, by: User, now: dt.datetime) -> bool:
    """The desk has booked (or declined) the series a consultation asked for. Returns False when
    someone else already had."""
    with transaction.atomic():
        updated = SeriesRequest.objects.filter(pk=series_request.pk, resolved_at__isnull=True).update(
            resolved_by=by, resolved_at=now
        )
    return bool(updated)
