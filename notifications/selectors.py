"""Reads for the message log: one query for the page of rows (patient joined), one for the count."""

import datetime as dt

from django.db.models import QuerySet

from clinic.localtime import day_bounds

from .models import Message


def message_log(
    *,
    status: str = "",
    kind: str = "",
    day_from: dt.date | None = None,
    day_to: dt.date | None = None,
    patient_id: int | None = None,
) -> QuerySet[Message]:
    """Messages newest first. Days are the clinic's local days, matched against the time the
    message was (or is) due."""
    rows = Message.objects.select_related("patient").order_by("-send_at", "-id")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if patient_id is not None:
        rows = rows.filter(patient_id=patient_id)
    if day_from:
        rows = rows.filter(send_at__gte=day_bounds(day_from)[0])
    if day_to:
        rows = rows.filter(send_at__lt=day_bounds(day_to)[1])
    return rows
