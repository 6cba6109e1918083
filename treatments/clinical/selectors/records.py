"""Reads for the practitioner's pages, each with a fixed number of queries whatever the size of
the day or the series."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from clinic.localtime import day_bounds, local_date
from clinic.models import Practitioner
from patients.models import ScreeningAnswer
from patients.selectors import ScreeningFlag, screening_flags
from treatments.clinical.charts import MEANINGFUL_CHANGE_NRS, ChartPoint, pain_chart
from treatments.clinical.fields import AmendmentEntry, amendment_trail
from treatments.models import (
    AdverseEvent,
    Appointment,
    InjectionSite,
    OutcomeScore,
    PainCheckIn,
    RecordAmendment,
    SessionRecord,
    Side,
    TreatmentSeries,
)


def series_step_label(appointment: Appointment) -> str:
    """ "Knee osteoarthritis, right — session 2 of 5": for staff pages only (a body part)."""
    series = appointment.series
    if series is None:
        return appointment.appointment_type.name
    where = series.protocol.condition_label
    if series.side != Side.NONE:
        where = f"{where}, {series.get_side_display().lower()}"
    return _("%(where)s — session %(step)s of %(planned)s") % {
        "where": where,
        "step": appointment.series_step,
        "planned": series.planned_sessions,
    }


@dataclass
class DayRow:
    appointment: Appointment
    step_label: str
    flags: list[ScreeningFlag]
    record_status: str | None
    needs_review: bool = False


def is_improved(baseline: int | None, latest: int | None) -> bool:
    return baseline is not None and latest is not None and latest <= baseline - MEANINGFUL_CHANGE_NRS


def review_needed(*, baseline: int | None, latest: int | None, signed_count: int) -> bool:
    """No better after 2 sessions: the clinic reviews before the 3rd (docs/clinical-facts.md, "Outcomes")."""
    return signed_count == 2 and baseline is not None and not is_improved(baseline, latest)


def series_needing_review(series_ids: list[int]) -> set[int]:
    """The series among these with two signed sessions and no meaningful change. Three queries."""
    timeline: dict[int, list[tuple[dt.datetime, int, int]]] = {}
    signed: dict[int, int] = {}
    for series_id, start, pain in SessionRecord.objects.filter(
        appointment__series_id__in=series_ids, status=SessionRecord.Status.SIGNED
    ).values_list("appointment__series_id", "appointment__start", "pain_before"):
        signed[series_id] = signed.get(series_id, 0) + 1
        if pain is not None:
            timeline.setdefault(series_id, []).append((start, 0, pain))
    for series_id, created_at, pain in PainCheckIn.objects.filter(series_id__in=series_ids).values_list(
        "series_id", "created_at", "pain"
    ):
        timeline.setdefault(series_id, []).append((created_at, 1, pain))
    for series_id, recorded_at, value in OutcomeScore.objects.filter(
        series_id__in=series_ids, measure=OutcomeScore.Measure.PAIN_NRS, source=OutcomeScore.Source.CLINIC
    ).values_list("series_id", "recorded_at", "value"):
        timeline.setdefault(series_id, []).append((recorded_at, 2, int(value)))
    flagged = set()
    for series_id, points in timeline.items():
        points.sort(key=lambda p: (local_date(p[0]), p[1]))
        if review_needed(baseline=points[0][2], latest=points[-1][2], signed_count=signed.get(series_id, 0)):
            flagged.add(series_id)
    return flagged


def practice_day(*, practitioner: Practitioner, day: dt.date) -> list[DayRow]:
    """A practitioner's appointments of one clinic day, in order. Five queries."""
    start, end = day_bounds(day)
    appointments = list(
        Appointment.objects.filter(practitioner=practitioner, start__gte=start, start__lt=end)
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("patient", "series__protocol", "appointment_type", "room", "record")
        .order_by("start")
    )
    flags = screening_flags({a.patient_id for a in appointments})
    review = series_needing_review(sorted({a.series_id for a in appointments if a.series_id}))
    rows = []
    for appointment in appointments:
        record = getattr(appointment, "record", None)
        rows.append(
            DayRow(
                appointment=appointment,
                step_label=series_step_label(appointment),
                flags=flags.get(appointment.patient_id, []),
                record_status=record.status if record else None,
                needs_review=appointment.series_id in review,
            )
        )
    return rows


def record_detail(record_id: int) -> SessionRecord:
    """A record with its sites, events and amendments. Four queries."""
    return (
        SessionRecord.objects.select_related(
            "signed_by__practitioner", "appointment__series__protocol", "proposed_protocol"
        )
        .prefetch_related(
            "sites",
            "adverse_events",
            Prefetch("amendments", queryset=RecordAmendment.objects.select_related("by__practitioner")),
        )
        .get(pk=record_id)
    )


def record_for_appointment(appointment: Appointment) -> SessionRecord | None:
    """The appointment's record, or None while nobody has saved one. One query."""
    return SessionRecord.objects.filter(appointment=appointment).first()


def recheck_answers(appointment: Appointment) -> dict[str, bool]:
    """The answers already given in today's re-check, to fill the form again."""
    rows = ScreeningAnswer.objects.filter(
        patient_id=appointment.patient_id,
        appointment_id=appointment.pk,
        source=ScreeningAnswer.Source.PRE_SESSION,
    ).values_list("question", "answer")
    return dict(rows)


@dataclass
class SessionColumn:
    appointment: Appointment
    record: SessionRecord | None
    sites: list[InjectionSite]
    events: list[AdverseEvent]

    @property
    def total_volume(self) -> Decimal:
        return sum((s.volume_ml for s in self.sites), Decimal("0"))

    @property
    def signed(self) -> bool:
        return self.record is not None and self.record.status == SessionRecord.Status.SIGNED

    @property
    def amendments(self) -> list[AmendmentEntry]:
        return amendment_trail(self.record, protocols={}) if self.record else []

    @property
    def site_lines(self) -> list[str]:
        """One line per site, built here rather than in the template: a 12-session series has
        dozens of sites and the template engine is the slow part of the page."""
        return [site_line(s) for s in self.sites]


def site_line(site: InjectionSite) -> str:
    where = f"{site.region} — {site.structure}" if site.structure else site.region
    solution = _("%(d)s%% dextrose") % {"d": site.dextrose_percent}
    if site.anaesthetic:
        solution += f", {site.anaesthetic} {site.anaesthetic_percent}%"
    return f"{where}: {solution}, {site.volume_ml} mL ({site.get_guidance_display().lower()})"


@dataclass
class ClinicalProgress:
    """The practitioner's progress page: sessions with their records, the pain chart and scores.
    (The desk's and the patient's counts are treatments.scheduling.selectors.series.SeriesProgress.)"""

    series: TreatmentSeries
    sessions: list[SessionColumn]
    points: list[ChartPoint]
    scores: list[OutcomeScore]
    baseline: int | None
    latest: int | None
    signed_count: int
    chart: str = ""
    flags: list[str] = field(default_factory=list)

    @property
    def improved(self) -> bool:
        return is_improved(self.baseline, self.latest)

    @property
    def has_amendments(self) -> bool:
        return any(c.record is not None and c.record.amendments.all() for c in self.sessions)

    @property
    def needs_review(self) -> bool:
        return review_needed(baseline=self.baseline, latest=self.latest, signed_count=self.signed_count)


def series_progress(series: TreatmentSeries) -> ClinicalProgress:
    """Everything the progress page shows. Six queries, for 3 sessions or 12."""
    appointments = list(
        series.appointments.exclude(status=Appointment.Status.CANCELLED)
        .select_related("record", "appointment_type", "series__protocol")
        .prefetch_related(
            "record__sites",
            "record__adverse_events",
            Prefetch("record__amendments", queryset=RecordAmendment.objects.select_related("by__practitioner")),
        )
        .order_by("start")
    )
    columns = []
    points = []
    for appointment in appointments:
        record = getattr(appointment, "record", None)
        sites = list(record.sites.all()) if record else []
        events = list(record.adverse_events.all()) if record else []
        column = SessionColumn(appointment=appointment, record=record, sites=sites, events=events)
        columns.append(column)
        if column.signed and record is not None and record.pain_before is not None:
            points.append(
                ChartPoint(
                    when=local_date(appointment.start),
                    pain=record.pain_before,
                    kind="session",
                    label=f"S{appointment.series_step}",
                )
            )
    for created_at, pain in series.checkins.values_list("created_at", "pain"):
        points.append(ChartPoint(when=local_date(created_at), pain=pain, kind="checkin"))
    # The patient's intake baseline (PSFS) was scored before any series existed: it opens the list.
    before_series = Q(patient_id=series.patient_id, series__isnull=True, source=OutcomeScore.Source.INTAKE)
    scores = list(
        OutcomeScore.objects.filter(Q(series=series) | before_series)
        .select_related("recorded_by")
        .order_by("recorded_at")
    )
    for score in scores:
        # Check-in and session pain are charted from their own rows; only the clinic's own
        # pain measurements are added here, so nothing is counted twice.
        if score.measure == OutcomeScore.Measure.PAIN_NRS and score.source == OutcomeScore.Source.CLINIC:
            points.append(ChartPoint(when=local_date(score.recorded_at), pain=int(score.value), kind="clinic"))
    points.sort(key=lambda p: (p.when, p.kind != "session"))
    baseline = points[0].pain if points else None
    latest = points[-1].pain if points else None
    progress = ClinicalProgress(
        series=series,
        sessions=columns,
        points=points,
        scores=[s for s in scores if s.source == OutcomeScore.Source.CLINIC or s.measure != "pain_nrs"],
        baseline=baseline,
        latest=latest,
        signed_count=sum(1 for c in columns if c.signed),
    )
    progress.chart = pain_chart(points, baseline=baseline, title=_("Pain over time"))
    return progress
