"""Reads for the message log: one query for the page of rows (patient joined), one for the count."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, QuerySet

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


def messages_about(
    *, kinds: Iterable[str], appointment_ids: Iterable[int] = (), series_ids: Iterable[int] = (), pending: bool = False
) -> list[Message]:
    """The messages of these kinds about any of the appointments or series (change notices read
    what is pending or went out before planning another)."""
    rows = Message.objects.filter(Q(appointment_id__in=list(appointment_ids)) | Q(series_id__in=list(series_ids)))
    rows = rows.filter(kind__in=kinds)
    if pending:
        rows = rows.filter(status=Message.Status.PENDING)
    return list(rows.order_by("created_at", "id"))


def messages_told(*, appointment_ids: Iterable[int], series_ids: Iterable[int], kinds: Iterable[str]) -> bool:
    """Whether a message of these kinds went out about one of the appointments, or a series
    confirmation (which lists every date) about one of the series."""
    about = Q(appointment_id__in=list(appointment_ids), kind__in=kinds) | Q(
        series_id__in=list(series_ids), appointment_id__isnull=True, kind=Message.Kind.CONFIRMATION
    )
    return Message.objects.filter(about, status=Message.Status.SENT).exists()
