"""Factories and builders for the practitioner's area: signed records with sites, check-ins,
outcome scores, and whole series with N sessions."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from clinic.models import Practitioner
from patients.models import ScreeningAnswer
from tests.factories import (
    AppointmentFactory,
    PractitionerFactory,
    SessionRecordFactory,
    TreatmentSeriesFactory,
)
from treatments.models import (
    AdverseEvent,
    Appointment,
    InjectionSite,
    OutcomeScore,
    PainCheckIn,
    SessionRecord,
    TreatmentSeries,
)

# A Tuesday in spring, 10:00 in Chicago (CDT, UTC-5): far from any daylight-saving change.
NOW = dt.datetime(2026, 4, 14, 15, 0, tzinfo=dt.UTC)


class InjectionSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InjectionSite

    record = factory.SubFactory(SessionRecordFactory)
    order = factory.Sequence(lambda n: n)
    region = "Knee"
    structure = "Intra-articular"
    side = "right"
    guidance = InjectionSite.Guidance.LANDMARK
    dextrose_percent = Decimal("25.0")
    anaesthetic = "lidocaine"
    anaesthetic_percent = Decimal("0.50")
    volume_ml = Decimal("6.0")
    needle_gauge = 25


class AdverseEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdverseEvent

    record = factory.SubFactory(SessionRecordFactory)
    kind = AdverseEvent.Kind.VASOVAGAL


class PainCheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PainCheckIn

    series = factory.SubFactory(TreatmentSeriesFactory)
    patient = factory.LazyAttribute(lambda c: c.series.patient)
    pain = 5
    created_at = factory.LazyFunction(timezone.now)


class OutcomeScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutcomeScore

    series = factory.SubFactory(TreatmentSeriesFactory)
    patient = factory.LazyAttribute(lambda s: s.series.patient)
    measure = OutcomeScore.Measure.WOMAC
    value = Decimal("50")
    recorded_at = factory.LazyFunction(timezone.now)


def series_appointment(series: TreatmentSeries, step: int, start: dt.datetime, **kwargs) -> Appointment:
    return AppointmentFactory(
        patient=series.patient,
        practitioner=series.practitioner,
        location=series.location,
        series=series,
        series_step=step,
        start=start,
        **kwargs,
    )


def sign(record: SessionRecord, *, by=None, at: dt.datetime | None = None) -> SessionRecord:
    """Mark a factory-built record signed (the service is tested on its own)."""
    record.status = SessionRecord.Status.SIGNED
    record.consent_confirmed = True
    record.screening_rechecked = True
    record.signed_by = by or record.appointment.practitioner.user
    record.signed_at = at or record.appointment.end
    record.save()
    Appointment.objects.filter(pk=record.appointment_id).update(status=Appointment.Status.COMPLETED)
    return record


def series_with_sessions(
    *,
    practitioner: Practitioner | None = None,
    pains: list[int],
    planned: int | None = None,
    first: dt.datetime = NOW - dt.timedelta(days=56),
    interval_days: int = 28,
    sites_per_session: int = 2,
    **series_kwargs,
) -> TreatmentSeries:
    """A series whose first len(pains) sessions are signed with those pain-before scores."""
    practitioner = practitioner or PractitionerFactory()
    series = TreatmentSeriesFactory(
        practitioner=practitioner, planned_sessions=planned or max(len(pains), 3), **series_kwargs
    )
    for step, pain in enumerate(pains, start=1):
        appointment = series_appointment(series, step, first + dt.timedelta(days=interval_days * (step - 1)))
        record = SessionRecordFactory(appointment=appointment, pain_before=pain, pain_after=max(pain - 1, 0))
        InjectionSiteFactory(record=record, order=1, structure="Intra-articular", volume_ml=Decimal("6.0"))
        for n in range(2, sites_per_session + 1):
            InjectionSiteFactory(
                record=record, order=n, structure="MCL insertion", dextrose_percent=Decimal("15"), volume_ml="0.5"
            )
        sign(record)
    return series


def screening(patient, question: str, answer: bool, at: dt.datetime, **kwargs) -> ScreeningAnswer:
    return ScreeningAnswer.objects.create(patient=patient, question=question, answer=answer, answered_at=at, **kwargs)
