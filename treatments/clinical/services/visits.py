"""What differs between the kinds of record: which one a visit gets, what each needs before it
is signed, and what signing a consultation or a follow-up does beyond locking the note. The
shared draft / sign / amend path is services/records.py."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from clinic.models import AppointmentType
from treatments.clinical.services.errors import RecordError
from treatments.clinical.services.outcomes import RANGES
from treatments.clinical.services.record_data import RecordData
from treatments.models import (
    Appointment,
    OutcomeScore,
    Protocol,
    SeriesRequest,
    SessionRecord,
    Side,
    TreatmentSeries,
)

Kind = SessionRecord.Kind

# The text and choice fields of each kind of record, as the form edits and an amendment corrects them.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    SessionRecord.Kind.INJECTION: ("pain_before", "pain_after", "product_lot", "plan", "plan_note", "notes"),
    SessionRecord.Kind.CONSULTATION: (
        "history",
        "examination",
        "imaging_reviewed",
        "screening_reviewed",
        "pain_before",
        "assessment",
        "candidate",
        "proposed_protocol_id",
        "proposed_side",
        "plan_note",
        "notes",
    ),
    SessionRecord.Kind.FOLLOW_UP: (
        "progress",
        "pain_before",
        "outcome_measure",
        "outcome_value",
        "plan",
        "plan_note",
        "notes",
    ),
}


def record_kind(appointment_type: AppointmentType) -> str:
    """Which note a visit gets: an injection type gets the session record, the seeded
    "consultation" type the consultation note, and any other visit is a follow-up / review."""
    if appointment_type.is_injection:
        return Kind.INJECTION
    if appointment_type.slug == "consultation":
        return Kind.CONSULTATION
    return Kind.FOLLOW_UP


def check_visit_fields(data: RecordData | SessionRecord) -> None:
    """Range and choice checks of the consultation and follow-up fields of a RecordData."""
    if data.proposed_side not in Side.values:
        raise RecordError(_("Choose the side."))
    if data.proposed_protocol_id is not None and not Protocol.objects.filter(pk=data.proposed_protocol_id).exists():
        raise RecordError(_("Choose one of the clinic's protocols."))
    if data.outcome_measure and data.outcome_measure not in RANGES:
        raise RecordError(_("Choose the outcome measure."))
    if (data.outcome_measure == "") != (data.outcome_value is None):
        raise RecordError(_("Give both the outcome measure and its score, or neither."))
    if data.outcome_measure and data.outcome_value is not None:  # the value is set with the measure (above)
        low, high = RANGES[data.outcome_measure]
        if not low <= Decimal(data.outcome_value) <= high:
            raise RecordError(_("This measure goes from %(low)s to %(high)s.") % {"low": low, "high": high})


def sign_problems(record: SessionRecord) -> list[str]:
    """What is still missing before this record may be signed, in the practitioner's words."""
    problems = []
    if record.kind == Kind.CONSULTATION:
        if not record.assessment:
            problems.append(_("write the assessment"))
        if record.candidate is None:
            problems.append(_("say whether the patient is a candidate for prolotherapy"))
        elif record.candidate and record.proposed_protocol_id is None:
            problems.append(_("choose the protocol to book"))
        return problems
    if record.kind == Kind.FOLLOW_UP:
        if not record.progress:
            problems.append(_("describe the progress since the last visit"))
        return problems
    if not record.consent_confirmed:
        problems.append(_("confirm the patient's consent for the series"))
    if not record.screening_rechecked:
        problems.append(_("re-check today's screening"))
    if record.pain_before is None:
        problems.append(_("record the pain before the session"))
    if not record.sites.exists():
        problems.append(_("record at least one injection site"))
    return problems


def consultation_signed(*, record: SessionRecord, appointment: Appointment, now: dt.datetime) -> None:
    """A candidate with a chosen protocol: "book this series" goes on the desk's requests, with
    the protocol and side, and nothing of the note."""
    if not record.candidate or record.proposed_protocol_id is None:
        return
    SeriesRequest.objects.create(
        record=record,
        patient_id=appointment.patient_id,
        practitioner_id=appointment.practitioner_id,
        protocol_id=record.proposed_protocol_id,
        side=record.proposed_side,
        created_at=now,
    )


def follow_up_signed(
    *, record: SessionRecord, appointment: Appointment, user: User, now: dt.datetime
) -> TreatmentSeries | None:
    """Keep the review's outcome score with the series, and return the series its decision acts
    on: the appointment's own, or else the patient's most recent active series (a review is
    usually booked outside the series' steps)."""
    series = appointment.series
    if series is None:
        series = (
            TreatmentSeries.objects.filter(patient_id=appointment.patient_id, status=TreatmentSeries.Status.ACTIVE)
            .order_by("-created_at")
            .first()
        )
    scores: dict[str, int | Decimal | None] = {OutcomeScore.Measure.PAIN_NRS: record.pain_before}
    if record.outcome_measure:
        scores[record.outcome_measure] = record.outcome_value
    OutcomeScore.objects.bulk_create(
        OutcomeScore(
            patient_id=appointment.patient_id,
            series=series,
            appointment=appointment,
            measure=measure,
            value=value,
            recorded_at=now,
            source=OutcomeScore.Source.CLINIC,
            recorded_by=user,
        )
        for measure, value in scores.items()
        if value is not None
    )
    return series
