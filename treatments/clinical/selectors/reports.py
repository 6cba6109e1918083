"""The clinic admin's reports: sessions per practitioner per month, adverse events by type, and
the clinic's own change in pain and WOMAC per protocol, with the published trials' within-group
results beside it as context. Every table is aggregated by the database over the chosen period
only, in a fixed number of queries, so a report costs the same with ten years of history as
with one."""

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncMonth

from clinic.localtime import clinic_zone, day_bounds
from treatments.models import AdverseEvent, Appointment, OutcomeScore, SessionRecord

# The trials' own before/after results, where docs/clinical-facts.md gives them. They describe
# the treated group of a trial, measured on its schedule; the clinic's figure is an unselected
# clinic cohort measured when it was measured. Shown as context, never as a comparison.
# (Hung 2016 gives between-group effect sizes — dextrose against a control — which a clinic
# without a control group cannot compute, so it is not shown.)
PUBLISHED_WITHIN_GROUP: dict[str, list[dict[str, str]]] = {
    "knee-oa": [
        {
            "study": "Rabago et al. 2013, Ann Fam Med 11:229",
            "measure": "womac",
            "result": "WOMAC (0-100) improved 15.3 points at 52 weeks in the dextrose group",
        }
    ],
}


@dataclass(frozen=True)
class Period:
    start: dt.datetime
    end: dt.datetime

    @classmethod
    def months(cls, first: dt.date, last: dt.date) -> "Period":
        """From the 1st of `first`'s month to the end of `last`'s month, clinic time."""
        after = dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1)
        start, end = day_bounds(first.replace(day=1), after - dt.timedelta(days=1))
        return cls(start=start, end=end)


def _signed(period: Period) -> QuerySet[SessionRecord]:
    return SessionRecord.objects.filter(
        status=SessionRecord.Status.SIGNED,
        appointment__start__gte=period.start,
        appointment__start__lt=period.end,
    )


def sessions_per_month(period: Period) -> list[dict]:
    """[{practitioner, month (date), sessions}], one query."""
    rows = (
        _signed(period)
        .annotate(month=TruncMonth("appointment__start", tzinfo=clinic_zone()))
        .values("appointment__practitioner__display_name", "month")
        .annotate(sessions=Count("id"))
        .order_by("appointment__practitioner__display_name", "month")
    )
    return [
        {
            "practitioner": r["appointment__practitioner__display_name"],
            "month": r["month"].date() if isinstance(r["month"], dt.datetime) else r["month"],
            "sessions": r["sessions"],
        }
        for r in rows
    ]


def adverse_events_by_kind(period: Period) -> tuple[list[dict], int]:
    """[{kind, label, events, sessions_with}] and the number of signed sessions. Two queries."""
    labels = dict(AdverseEvent.Kind.choices)
    rows = (
        AdverseEvent.objects.filter(
            record__status=SessionRecord.Status.SIGNED,
            record__appointment__start__gte=period.start,
            record__appointment__start__lt=period.end,
        )
        .values("kind")
        .annotate(events=Count("id"), sessions_with=Count("record", distinct=True))
        .order_by("kind")
    )
    found: dict[str, Mapping[str, Any]] = {r["kind"]: r for r in rows}
    table = [
        {
            "kind": kind,
            "label": str(labels[kind]),
            "events": found.get(kind, {}).get("events", 0),
            "sessions_with": found.get(kind, {}).get("sessions_with", 0),
        }
        for kind in AdverseEvent.Kind.values
    ]
    return table, _signed(period).count()


def _series_cohort(period: Period) -> QuerySet[Appointment]:
    """First sessions (step 1) signed with a pain score in the period: one row per series. The
    period bounds the scan through the appointments' start index; everything else per series is
    a correlated subquery on its own rows (series index), so older history is never read."""
    signed = SessionRecord.objects.filter(
        appointment__series_id=OuterRef("series_id"),
        status=SessionRecord.Status.SIGNED,
        pain_before__isnull=False,
        appointment__start__gt=OuterRef("start"),
    ).order_by("-appointment__start")
    womac = OutcomeScore.objects.filter(series_id=OuterRef("series_id"), measure=OutcomeScore.Measure.WOMAC)
    return Appointment.objects.filter(
        start__gte=period.start,
        start__lt=period.end,
        series_step=1,
        series__isnull=False,
        record__status=SessionRecord.Status.SIGNED,
        record__pain_before__isnull=False,
    ).annotate(
        baseline=F("record__pain_before"),
        latest=Subquery(signed.values("pain_before")[:1], output_field=IntegerField()),
        womac_first=Subquery(womac.order_by("recorded_at", "id").values("value")[:1]),
        womac_last=Subquery(womac.order_by("-recorded_at", "-id").values("value")[:1]),
        womac_count=Subquery(
            womac.order_by().values("series_id").annotate(n=Count("id")).values("n")[:1], output_field=IntegerField()
        ),
    )


def change_by_protocol(period: Period) -> list[dict]:
    """Per protocol, for series whose first session was signed in the period: how many, the mean
    change in pain (0-10) from the first session to the latest later one (negative is better)
    with its standard deviation, and the mean WOMAC improvement (first total minus latest, for
    series with two or more) with its SD; the trials' within-group results ride along as context.
    One query. The SD comes from the sum of squares (SQLite's STDDEV fails on a single value)."""
    pain = ExpressionWrapper(F("latest") - F("baseline"), output_field=FloatField())
    womac_change = ExpressionWrapper(F("womac_first") - F("womac_last"), output_field=FloatField())
    has_womac = Q(womac_count__gte=2)
    rows = (
        _series_cohort(period)
        .values("series__protocol__name", "series__protocol__condition")
        .annotate(
            series_n=Count("id"),
            pain_n=Count("latest"),
            pain_mean=Avg(pain),
            pain_sq=Sum(pain * pain),
            womac_n=Count("womac_count", filter=has_womac),
            womac_mean=Avg(womac_change, filter=has_womac),
            womac_sq=Sum(womac_change * womac_change, filter=has_womac),
        )
        .order_by("series__protocol__name")
    )

    def rounded(value: float | Decimal | None, places: int = 1) -> float | None:
        return None if value is None else round(float(value), places)

    def sd(n: int, mean: float | Decimal | None, squares: float | Decimal) -> float | None:
        if n < 2 or mean is None:
            return None
        variance = (float(squares) - n * float(mean) ** 2) / (n - 1)
        return round(math.sqrt(max(variance, 0.0)), 1)

    return [
        {
            "protocol": r["series__protocol__name"],
            "series": r["series_n"],
            "pain_n": r["pain_n"],
            "pain_mean": rounded(r["pain_mean"]),
            "pain_sd": sd(r["pain_n"], r["pain_mean"], r["pain_sq"]),
            "womac_n": r["womac_n"],
            "womac_mean": rounded(r["womac_mean"]),
            "womac_sd": sd(r["womac_n"], r["womac_mean"], r["womac_sq"]),
            "published": PUBLISHED_WITHIN_GROUP.get(r["series__protocol__condition"], []),
        }
        for r in rows
    ]
