"""Reads for the desk's patient and series pages, each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from patients.models import Patient
from patients.selectors import ScreeningFlag, screening_flags
from treatments import hooks
from treatments.models import Appointment, AppointmentChange, SessionRecord, TreatmentSeries
from treatments.scheduling.rules import SpacingNote
from treatments.scheduling.selectors.series_notes import off_target_notes, spacing_notes


@dataclass
class SeriesProgress:
    """How far a series has come — sessions done, planned, and the next one — for the desk's
    patient and series pages and the patient's portal. Counts only: nothing clinical."""

    series: TreatmentSeries
    done: int = 0
    next_session: Appointment | None = None
    sessions: list[Appointment] = field(default_factory=list)

    @property
    def planned(self) -> int:
        # Sessions added beyond the plan still count: never "6 of 5 done".
        return max(self.series.planned_sessions, self.done)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.planned) if self.planned else 0

    @property
    def next_step(self) -> int | None:
        return self.next_session.series_step if self.next_session else None


@dataclass
class PatientOverview:
    patient: Patient
    series: list[SeriesProgress]
    upcoming: list[Appointment]
    past: list[Appointment]
    no_shows: int
    flags: list[ScreeningFlag]
    # By appointment id: sessions spaced other than the protocol says.
    spacing: dict[int, SpacingNote] = field(default_factory=dict)
    # From an app above (treatments.hooks): the patient's money, each series' package, and each
    # appointment's ("Session 3 of 5 — package", "Check out"), by id.
    badges: list[hooks.Badge] = field(default_factory=list)
    series_badges: dict[int, list[hooks.Badge]] = field(default_factory=dict)
    appointment_badges: dict[int, list[hooks.Badge]] = field(default_factory=dict)


def _progress(series: TreatmentSeries, sessions: list[Appointment], now: dt.datetime) -> SeriesProgress:
    sessions = sorted(sessions, key=lambda a: (a.series_step or 0, a.start))
    done = sum(1 for a in sessions if a.status == Appointment.Status.COMPLETED)
    upcoming = [a for a in sessions if a.status == Appointment.Status.BOOKED and a.start >= now]
    return SeriesProgress(series=series, done=done, next_session=upcoming[0] if upcoming else None, sessions=sessions)


def positive_flags(patient: Patient) -> list[ScreeningFlag]:
    """The patient's screening flags (patients.selectors.screening_flags, one query)."""
    return screening_flags([patient.pk]).get(patient.pk, [])


def patient_overview(patient: Patient, *, now: dt.datetime) -> PatientOverview:
    """Three queries: series, appointments, screening answers; plus the badge providers' fixed
    queries (treatments.hooks), once for the patient, once for all their series and once for all
    their appointments."""
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
        badges=hooks.patient_badges([patient.pk]).get(patient.pk, []),
        series_badges=hooks.series_badges(s.pk for s in series),
        appointment_badges=hooks.appointment_badges(
            hooks.ShownAppointment(a.pk, a.patient_id, a.series_id, a.status) for a in appointments
        ),
    )


@dataclass
class SeriesPage:
    progress: SeriesProgress
    history: list[AppointmentChange]
    flags: list[ScreeningFlag]
    # The practitioner's plan at the last signed session when it asks the desk to book something:
    # (plan label, session step). Only the choice, never the practitioner's note.
    plan_for_desk: tuple[str, int] | None = None
    # By appointment id: spacing other than the protocol's, and why a booked session is off its
    # target day.
    spacing: dict[int, SpacingNote] = field(default_factory=dict)
    off_target: dict[int, str] = field(default_factory=dict)
    # From an app above (treatments.hooks): the series' package, and each session's, by id.
    badges: list[hooks.Badge] = field(default_factory=list)
    session_badges: dict[int, list[hooks.Badge]] = field(default_factory=dict)


def series_page(series: TreatmentSeries, *, now: dt.datetime) -> SeriesPage:
    """Four queries on top of the series itself: its sessions, its history, screening flags and
    the plan of the last signed session; three more (availability) when a booked session is off
    its target day, to say why; plus the badge providers' fixed queries (treatments.hooks), once
    for the series and once for its sessions."""
    sessions = list(series.appointments.select_related("appointment_type", "room"))
    history = list(
        AppointmentChange.objects.filter(series=series)
        .select_related("by", "appointment", "old_practitioner", "new_practitioner")
        .order_by("-at", "-id")
    )
    last = (
        SessionRecord.objects.filter(appointment__series=series, status=SessionRecord.Status.SIGNED)
        .order_by("-signed_at")
        .values_list("plan", "appointment__series_step")
        .first()
    )
    plan = None
    if last and last[0] in (SessionRecord.Plan.ADD_SESSION, SessionRecord.Plan.CHANGE_INTERVAL) and last[1] is not None:
        plan = (str(SessionRecord.Plan(last[0]).label), last[1])
    return SeriesPage(
        _progress(series, sessions, now),
        history,
        positive_flags(series.patient),
        plan,
        spacing=spacing_notes([series], sessions),
        off_target=off_target_notes(series, sessions, history),
        badges=hooks.series_badges([series.pk]).get(series.pk, []),
        session_badges=hooks.appointment_badges(
            hooks.ShownAppointment(a.pk, a.patient_id, a.series_id, a.status) for a in sessions
        ),
    )
