"""Reads for the patient portal. Every query is filtered by the link's patient: nothing of another
patient can come back, whatever id is in the URL."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from patients.models import Patient
from treatments.models import Appointment, TreatmentSeries


@dataclass(frozen=True)
class SeriesProgress:
    series: TreatmentSeries
    done: int
    planned: int
    next_step: int | None

    @property
    def next_label_step(self) -> int:
        return self.next_step or min(self.done + 1, self.planned)


def portal_upcoming(*, patient: Patient, now: dt.datetime) -> list[Appointment]:
    return list(
        Appointment.objects.filter(patient=patient, status=Appointment.Status.BOOKED, end__gt=now)
        .select_related("location", "practitioner", "series", "appointment_type")
        .order_by("start")[:20]
    )


def portal_series_progress(*, patient: Patient, upcoming: list[Appointment]) -> list[SeriesProgress]:
    """Active series with how many sessions are done; the next step comes from `upcoming`."""
    rows = (
        TreatmentSeries.objects.filter(patient=patient, status=TreatmentSeries.Status.ACTIVE)
        .select_related("protocol")
        .annotate(done=Count("appointments", filter=Q(appointments__status=Appointment.Status.COMPLETED)))
        .order_by("-created_at")
    )
    next_steps: dict[int, int] = {}
    for appointment in upcoming:
        if appointment.series_id and appointment.series_id not in next_steps:
            next_steps[appointment.series_id] = appointment.series_step
    return [
        SeriesProgress(series=s, done=s.done, planned=max(s.planned_sessions, s.done), next_step=next_steps.get(s.pk))
        for s in rows
    ]


def portal_appointment(*, patient: Patient, appointment_id: int) -> Appointment | None:
    return (
        Appointment.objects.filter(patient=patient, pk=appointment_id)
        .select_related("location", "practitioner", "series", "series__protocol")
        .first()
    )


def portal_series_for_aftercare(*, patient: Patient) -> list[TreatmentSeries]:
    """The patient's series, active ones first, for their aftercare guides."""
    return list(
        TreatmentSeries.objects.filter(patient=patient)
        .exclude(status=TreatmentSeries.Status.DISCONTINUED)
        .select_related("protocol")
        .order_by("status", "-created_at")[:5]
    )


def series_current(*, patient: Patient) -> TreatmentSeries | None:
    return (
        TreatmentSeries.objects.filter(patient=patient, status=TreatmentSeries.Status.ACTIVE)
        .order_by("-created_at")
        .first()
    )
