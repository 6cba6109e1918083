"""Writes of the desk's inbox."""

import datetime as dt

from django.db import transaction

from treatments.models import PainCheckIn


def checkin_acknowledge(*, checkin: PainCheckIn, by, now: dt.datetime) -> bool:
    """The desk has called the patient back. Returns False when someone else already had."""
    with transaction.atomic():
        updated = PainCheckIn.objects.filter(pk=checkin.pk, acknowledged_at__isnull=True).update(
            acknowledged_by=by, acknowledged_at=now
        )
    return bool(updated)
