"""The clinic admin's reports: sessions per practitioner per month, adverse events by type, and
mean pain change per protocol after 1, 2 and 3+ sessions beside the published figures."""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncMonth

from clinic.localtime import clinic_zone, day_bounds
from treatments.models import AdverseEvent, OutcomeScore, PainCheckIn, SessionRecord

# Published figures to compare with (docs/clinical-facts.md, "Outcomes"). Hung 2016 meta-analysis:
# effect size of dextrose prolotherapy on osteoarthritis pain by number of sessions (3+ is given as
# 3: 0.85 and 4 or more: 0.87).
HUNG_2016_EFFECT_SIZE = {"1": "0.65", "2": "0.84", "3+": "0.85 (3) / 0.87 (4+)"}
# Rabago 2013, knee OA, WOMAC improvement at 52 weeks.
RABAGO_2013_WOMAC = {"dextrose": "15.3", "saline": "7.6", "exercise": "8.2"}
OA_CONDITIONS = {"knee-oa"}
BUCKETS = ("1", "2", "3+")


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


def _signed(period: Period):
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
    found = {r["kind"]: r for r in rows}
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


def _after(sessions: list[tuple[dt.datetime, int]], checkins: list[tuple[dt.datetime, int]], k: int) -> int | None:
    """Pain measured after k sessions: the next session's pain before, else the latest check-in
    after session k. For the 3+ bucket, the latest measurement after the 3rd session or later."""
    if len(sessions) < k:
        return None
    if k < 3 and len(sessions) > k:
        return sessions[k][1]
    since = sessions[k - 1][0]
    later = [(when, pain) for when, pain in sessions[k:] + checkins if when > since]
    return max(later, key=lambda item: item[0])[1] if later else None


def _summary(changes: list[int], baselines: list[int]) -> dict:
    if not changes:
        return {"n": 0, "mean": None, "effect": None}
    mean = statistics.fmean(changes)
    spread = statistics.stdev(baselines) if len(baselines) > 1 else 0
    # Effect size as in the meta-analysis: improvement divided by the spread of baseline pain.
    effect = round(-mean / spread, 2) if spread else None
    return {"n": len(changes), "mean": round(mean, 1), "effect": effect}


def pain_change_by_protocol(period: Period) -> list[dict]:
    """Series whose first signed session lies in the period. Three queries."""
    sessions: dict[int, list[tuple[dt.datetime, int]]] = defaultdict(list)
    protocol_of: dict[int, tuple[str, str]] = {}
    rows = (
        SessionRecord.objects.filter(
            status=SessionRecord.Status.SIGNED, pain_before__isnull=False, appointment__series__isnull=False
        )
        .order_by("appointment__start")
        .values_list(
            "appointment__series_id",
            "appointment__series__protocol__name",
            "appointment__series__protocol__condition",
            "appointment__start",
            "pain_before",
        )
    )
    for series_id, name, condition, start, pain in rows:
        sessions[series_id].append((start, pain))
        protocol_of[series_id] = (name, condition)
    wanted = {sid for sid, s in sessions.items() if period.start <= s[0][0] < period.end}
    checkins: dict[int, list[tuple[dt.datetime, int]]] = defaultdict(list)
    for series_id, created_at, pain in PainCheckIn.objects.filter(series_id__in=wanted).values_list(
        "series_id", "created_at", "pain"
    ):
        checkins[series_id].append((created_at, pain))
    womac: dict[int, list[float]] = defaultdict(list)
    for series_id, value in (
        OutcomeScore.objects.filter(series_id__in=wanted, measure=OutcomeScore.Measure.WOMAC)
        .order_by("recorded_at")
        .values_list("series_id", "value")
    ):
        womac[series_id].append(float(value))

    by_protocol: dict[tuple[str, str], dict] = {}
    for series_id in sorted(wanted):
        key = protocol_of[series_id]
        entry = by_protocol.setdefault(key, {"series": 0, "womac": [], **{b: ([], []) for b in BUCKETS}})
        entry["series"] += 1
        baseline = sessions[series_id][0][1]
        for bucket, k in zip(BUCKETS, (1, 2, 3), strict=True):
            measured = _after(sessions[series_id], sorted(checkins[series_id]), k)
            if measured is not None:
                entry[bucket][0].append(measured - baseline)
                entry[bucket][1].append(baseline)
        if len(womac[series_id]) > 1:
            # WOMAC: higher is worse, so the improvement is first minus last.
            entry["womac"].append(womac[series_id][0] - womac[series_id][-1])
    table = []
    for (name, condition), entry in sorted(by_protocol.items()):
        is_oa = condition in OA_CONDITIONS
        table.append(
            {
                "protocol": name,
                "series": entry["series"],
                "buckets": {
                    b: {**_summary(*entry[b]), "published": HUNG_2016_EFFECT_SIZE[b] if is_oa else ""} for b in BUCKETS
                },
                "womac_n": len(entry["womac"]),
                "womac_mean": round(statistics.fmean(entry["womac"]), 1) if entry["womac"] else None,
                "womac_published": RABAGO_2013_WOMAC["dextrose"] if is_oa else "",
            }
        )
    return table
