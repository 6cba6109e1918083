"""Reads for the desk's patient and series pages, each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from patients.models import Patient, ScreeningAnswer
from treatments.models import Appointment, AppointmentChange, SessionRecord, TreatmentSeries
from treatments.scheduling.rules import SpacingNote
from treatments.scheduling.selectors.series_notes import off_target_notes, spacing_notes


@dataclass
class SeriesProgress:
    series: TreatmentSeries
    sessions: list[Appointment] = field(default_factory=list)
    done: int = 0
    next_session: Appointment | None = None

    @property
    def planned(self) -> int:
        return self.series.planned_sessions

    @property
    def percent(self) -> int:
        return round(100 * min(self.done, self.planned) / self.planned) if self.planned else 0


@dataclass
class PatientOverview:
    patient: Patient
    series: list[SeriesProgress]
    upcoming: list[Appointment]
    past: list[Appointment]
    no_shows: int
    flags: list[ScreeningAnswer]
    # By appointment id: sessions spaced other than the protocol says.
    spacing: dict[int, SpacingNote] = field(default_factory=dict)


def _progress(series: TreatmentSeries, sessions: list[Appointment], now: dt.datetime) -> SeriesProgress:
    sessions = sorted(sessions, key=lambda a: (a.series_step or 0, a.start))
    done = sum(1 for a in sessions if a.status == Appointment.Status.COMPLETED)
    upcoming = [a for a in sessions if a.status == Appointment.Status.BOOKED and a.start >= now]
    return SeriesProgress(series, sessions, done, upcoming[0] if upcoming else None)


def positive_flags(patient: Patient) -> list[ScreeningAnswer]:
    """The latest answer per question, kept when it is "yes" (one query)."""
    latest: dict[str, ScreeningAnswer] = {}
    for answer in ScreeningAnswer.objects.filter(patient=patient).order_by("-answered_at", "-id"):
        latest.setdefault(answer.question, answer)
    return [a for a in latest.values() if a.answer]


def patient_overview(patient: Patient, *, now: dt.datetime) -> PatientOverview:
    """Three queries: series, appointments, screening answers."""
    series = list(
        TreatmentSeries.objects.filter(patient=patient).select_related("protocol", "practitioner", "location")
    )
    appointments = list(
        Appointment.objects.filter(patient=patient).select_related("appointment_type", "practitioner", "location")
    )
    by_series: dict[int, list[Appointment]] = {}
    for appointment in appointments:
        if appointment.series_id:
            by_series.setdefault(appointment.series_id, []).append(appointment)
    return PatientOverview(
        patient=patient,
        series=[_progress(s, by_series.get(s.pk, []), now) for s in series],
        upcoming=[a for a in appointments if a.start >= now and a.status == Appointment.Status.BOOKED],
        past=sorted(
            (a for a in appointments if a.start < now or a.status != Appointment.Status.BOOKED),
            key=lambda a: a.start,
            reverse=True,
        ),
        no_shows=sum(1 for a in appointments if a.status == Appointment.Status.NO_SHOW),
        flags=positive_flags(patient),
        spacing=spacing_notes(series, appointments),
    )


@dataclass
class SeriesPage:
    progress: SeriesProgress
    history: list[AppointmentChange]
    flags: list[ScreeningAnswer]
    # The practitioner's plan at the last signed session when it asks the desk to book something:
    # (plan label, session step). Only the choice, never the practitioner's note.
    plan_for_desk: tuple[str, int] | None = None
    # By appointment id: spacing other than the protocol's, and why a booked session is off its
    # target day.
    spacing: dict[int, SpacingNote] = field(default_factory=dict)
    off_target: dict[int, str] = field(default_factory=dict)


def series_page(series: TreatmentSeries, *, now: dt.datetime) -> SeriesPage:
    """Four queries on top of the series itself: its sessions, its history, screening flags and
    the plan of the last signed session; three more (availability) when a booked session is off
    its target day, to say why."""
    sessions = list(series.appointments.select_related("appointment_type", "room"))
    history = list(
        AppointmentChange.objects.filter(series=series).select_related("by", "appointment").order_by("-at", "-id")
    )
    last = (
        SessionRecord.objects.filter(appointment__series=series, status=SessionRecord.Status.SIGNED)
        .order_by("-signed_at")
        .values_list("plan", "appointment__series_step")
        .first()
    )
    plan = None
    if last and last[0] in (SessionRecord.Plan.ADD_SESSION, SessionRecord.Plan.CHANGE_INTERVAL):
        plan = (SessionRecord.Plan(last[0]).label, last[1])
    return SeriesPage(
        _progress(series, sessions, now),
        history,
        positive_flags(series.patient),
        plan,
        spacing=spacing_notes([series], sessions),
        off_target=off_target_notes(series, sessions, history),
    )
