"""A cheap fingerprint of what the day calendar shows, so an open day can poll it and refresh only
when something changed: how many appointments, the sum of their ids and the latest updated_at.
Every service that changes an appointment saves `updated_at`; a booking adds an id, a move away
removes one. The day page computes it from the rows it already loaded (no extra query); the poll
asks the database once, with the same bounds as the calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Max, Sum

from clinic.localtime import day_bounds
from treatments.models import Appointment


def _fingerprint(count: int, ids: int, latest: dt.datetime | None) -> str:
    return f"{count}.{ids}.{latest.timestamp() if latest else 0}"


def day_version_of(appointments: Iterable[Appointment]) -> str:
    rows = list(appointments)
    latest = max((a.updated_at for a in rows), default=None)
    return _fingerprint(len(rows), sum(a.pk for a in rows), latest)


def day_version(*, day: dt.date, location_id: int | None = None, last_day: dt.date | None = None) -> str:
    """With `last_day`, the days from `day` to it (the week of every practitioner polls so)."""
    start, end = day_bounds(day, last_day or day)
    # The calendar's own bounds (selectors.calendar._appointments): start-indexed on both sides.
    qs = Appointment.objects.filter(start__lt=end, start__gte=start - dt.timedelta(hours=12), end__gt=start)
    if location_id is not None:
        qs = qs.filter(location_id=location_id)
    row = qs.aggregate(count=Count("id"), ids=Sum("id"), latest=Max("updated_at"))
    return _fingerprint(row["count"], row["ids"] or 0, row["latest"])
