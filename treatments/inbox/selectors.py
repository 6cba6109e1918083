"""Reads for the desk's inbox: three queries, whatever the number of rows, and the count on the
navigation (one)."""

import datetime as dt

from django.db.models import QuerySet

from clinic.compiled_sql import CompiledRead
from patients.models import ConsultationRequest
from treatments.models import PainCheckIn, SeriesRequest

INBOX_LIMIT = 100


def inbox_alerts() -> list[PainCheckIn]:
    """Check-ins with a red flag nobody has handled yet, oldest first: they have waited longest."""
    return list(_open_alerts().select_related("patient").order_by("created_at")[:INBOX_LIMIT])


def _open_alerts() -> QuerySet[PainCheckIn]:
    return PainCheckIn.objects.filter(acknowledged_at__isnull=True).exclude(red_flags=[])


_OPEN_COUNT = CompiledRead(
    lambda: _open_alerts().order_by().values_list("pk"), wrap="SELECT COUNT(*) FROM ({}) AS open_alerts"
)


def open_callback_count() -> int:
    """How many red-flag check-ins still wait for someone to call the patient back. One query
    (compiled once: every staff page's navigation shows it)."""
    return int(_OPEN_COUNT.rows()[0][0])


def inbox_checkins(*, since: dt.datetime) -> list[PainCheckIn]:
    """Recent check-ins without a red flag, so the desk reads what patients wrote too."""
    return list(
        PainCheckIn.objects.filter(red_flags=[], created_at__gte=since)
        .select_related("patient")
        .order_by("-created_at")[:INBOX_LIMIT]
    )


def inbox_requests(*, status: str | None) -> list[ConsultationRequest]:
    rows: QuerySet[ConsultationRequest] = ConsultationRequest.objects.select_related("handled_by")
    if status:
        rows = rows.filter(status=status)
    return list(rows.order_by("-created_at")[:INBOX_LIMIT])


def inbox_series_requests() -> list[SeriesRequest]:
    """ "Book this series" from signed consultations, not yet booked: oldest first. Only the
    protocol, side and practitioner travel with it, never the clinical note."""
    return list(
        SeriesRequest.objects.filter(resolved_at__isnull=True)
        .select_related("patient", "practitioner", "protocol")
        .order_by("created_at")[:INBOX_LIMIT]
    )
