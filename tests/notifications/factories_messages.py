"""Builders for the messages tests: a series with its sessions, a signed record, an outbox row."""

import datetime as dt

import factory

from notifications.models import Message
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    SessionRecordFactory,
    TreatmentSeriesFactory,
    UserFactory,
)
from treatments.models import SessionRecord


def series_with_sessions(*, starts: list[dt.datetime], now: dt.datetime, patient=None, **series_fields):
    """A knee series (the factory's default protocol, right side: the words messages must never say)."""
    extra = {"patient": patient} if patient is not None else {}
    series = TreatmentSeriesFactory(planned_sessions=len(starts), created_at=now, **extra, **series_fields)
    for step, start in enumerate(starts, 1):
        AppointmentFactory(
            patient=series.patient,
            practitioner=series.practitioner,
            location=series.location,
            series=series,
            series_step=step,
            start=start,
            created_at=now,
        )
    return series


def sign(appointment, *, at: dt.datetime) -> SessionRecord:
    signer = UserFactory()
    return SessionRecordFactory(
        appointment=appointment, status=SessionRecord.Status.SIGNED, signed_at=at, signed_by=signer, created_at=at
    )


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    patient = factory.SubFactory(PatientFactory)
    channel = "email"
    kind = Message.Kind.OUTCOME
    # An outcome check-in of a real series: the planner answers for it at send time.
    series_id = factory.LazyAttribute(lambda m: TreatmentSeriesFactory(patient=m.patient).pk)
    data = factory.LazyFunction(lambda: {"weeks": 6})
    dedupe_key = factory.Sequence(lambda n: f"test:{n}:outcome")
    send_at = factory.LazyFunction(lambda: dt.datetime(2026, 5, 4, 14, 0, tzinfo=dt.UTC))
    created_at = factory.LazyFunction(lambda: dt.datetime(2026, 5, 1, 14, 0, tzinfo=dt.UTC))
