"""Reads for the patient portal. Every query is filtered by the link's patient: nothing of another
patient can come back, whatever id is in the URL."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q

from patients.models import ConsentSignature, ConsentText, Intake, Patient
from treatments.models import Appointment, TreatmentSeries, WaitlistOffer
from treatments.scheduling.selectors.series import SeriesProgress


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
    next_sessions: dict[int, Appointment] = {}
    for appointment in upcoming:
        if appointment.series_id:
            next_sessions.setdefault(appointment.series_id, appointment)
    return [SeriesProgress(series=s, done=s.done, next_session=next_sessions.get(s.pk)) for s in rows]


def portal_appointment(*, patient: Patient, appointment_id: int) -> Appointment | None:
    return (
        Appointment.objects.filter(patient=patient, pk=appointment_id)
        .select_related("location", "practitioner", "series", "series__protocol", "appointment_type", "room", "patient")
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


def portal_series(*, patient: Patient, series_id: int) -> TreatmentSeries | None:
    return (
        TreatmentSeries.objects.filter(patient=patient, pk=series_id)
        .select_related("protocol__appointment_type", "practitioner", "location", "patient")
        .first()
    )


def portal_open_offers(*, patient: Patient, now: dt.datetime) -> list[WaitlistOffer]:
    """Freed times offered to this patient that are still theirs to take (one query)."""
    return list(
        WaitlistOffer.objects.filter(
            entry__patient=patient,
            entry__resolved_at__isnull=True,
            status=WaitlistOffer.Status.OPEN,
            expires_at__gt=now,
        )
        .select_related("freed__location", "freed__practitioner")
        .order_by("freed__start")[:5]
    )


def portal_offer(*, patient: Patient, offer_id: int) -> WaitlistOffer | None:
    return (
        WaitlistOffer.objects.filter(entry__patient=patient, pk=offer_id)
        .select_related("freed__location", "freed__practitioner", "entry__appointment", "booked")
        .first()
    )


def portal_intake_due(*, patient: Patient, upcoming: list[Appointment]) -> str:
    """What the patient still has to do before their first visit: "intake" (the form), "consent"
    (sign the current consent text) or "" (nothing, or not their first visit). One query."""
    if not upcoming:
        return ""
    mine = {"patient_id": patient.pk}
    row = (
        ConsentText.objects.order_by("-version")
        .annotate(
            signed=Exists(ConsentSignature.objects.filter(consent_text=OuterRef("pk"), **mine)),
            has_intake=Exists(Intake.objects.filter(**mine)),
            visited=Exists(Appointment.objects.filter(status=Appointment.Status.COMPLETED, **mine)),
        )
        .values("signed", "has_intake", "visited")
        .first()
    )
    if row is None or row["visited"]:
        return ""
    if not row["has_intake"]:
        return "intake"
    return "" if row["signed"] else "consent"
