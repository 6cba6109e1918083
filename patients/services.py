"""Writes for patients: register, edit, consent per channel, screening answers."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.module_loading import import_string

from clinic.audit import audit_record
from clinic.models import AuditEntry

from .models import Channel, Patient, ScreeningAnswer, ScreeningQuestion
from .selectors import screening_answers


@dataclass(frozen=True)
class PatientData:
    """What the desk types about a patient; the phone fields are already E.164."""

    first_name: str
    last_name: str
    date_of_birth: dt.date
    phone: str = ""
    email: str = ""
    preferred_channel: str = "email"
    email_consent: bool = False
    sms_consent: bool = False
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    # question value -> yes/no; questions left out are not recorded.
    screening: dict[str, bool] = field(default_factory=dict)


def consent_with_contact(ticked: bool, contact: str) -> bool:
    """Consent to a channel counts only with an address or number to reach: a tick beside an empty
    e-mail or phone is no consent. The desk's form, the patient's own ticks and online booking ask here."""
    return ticked and bool(contact)


def _consent_at(current: dt.datetime | None, given: bool, now: dt.datetime) -> dt.datetime | None:
    """Keep the time consent was first given; unticking withdraws it."""
    if not given:
        return None
    return current or now


def _apply(patient: Patient, data: PatientData, now: dt.datetime) -> None:
    patient.first_name = data.first_name.strip()
    patient.last_name = data.last_name.strip()
    patient.date_of_birth = data.date_of_birth
    patient.phone = data.phone
    patient.email = data.email.strip().lower()
    patient.preferred_channel = data.preferred_channel
    patient.email_consent_at = _consent_at(
        patient.email_consent_at, consent_with_contact(data.email_consent, data.email), now
    )
    patient.sms_consent_at = _consent_at(
        patient.sms_consent_at, consent_with_contact(data.sms_consent, data.phone), now
    )
    patient.emergency_contact_name = data.emergency_contact_name.strip()
    patient.emergency_contact_phone = data.emergency_contact_phone


def screening_record(
    *,
    patient: Patient,
    answers: dict[str, bool],
    by: User | None,  # None: the patient themself (online booking, intake)
    now: dt.datetime,
    source: str = ScreeningAnswer.Source.INTAKE,
    appointment_id: int | None = None,
    only_changes: bool = False,
) -> list[ScreeningAnswer]:
    """Store answers as new rows (the history stays). With only_changes, an answer equal to the
    latest one is not stored again."""
    valid = set(ScreeningQuestion.values)
    previous = screening_answers(patient_id=patient.pk) if only_changes else {}
    rows = [
        ScreeningAnswer(
            patient=patient,
            question=question,
            answer=answer,
            source=source,
            appointment_id=appointment_id,
            answered_at=now,
            recorded_by=by,
        )
        for question, answer in answers.items()
        if question in valid and not (only_changes and previous.get(question) == answer)
    ]
    return ScreeningAnswer.objects.bulk_create(rows)


def patient_register(*, data: PatientData, by: User | None, now: dt.datetime) -> Patient:
    with transaction.atomic():
        patient = Patient()
        _apply(patient, data, now)
        patient.save()
        screening_record(patient=patient, answers=data.screening, by=by, now=now)
    return patient


# Told, in the same transaction, when a patient's preferred channel or consent changes, so the
# outbox re-plans what is waiting. By import string: patients sits below notifications.
CONTACT_CHANGED = "notifications.services.messages_replan_channel"


def _contact(patient: Patient) -> tuple:
    return (patient.preferred_channel, patient.has_consent(Channel.EMAIL), patient.has_consent(Channel.SMS))


def patient_update(*, patient: Patient, data: PatientData, by: User, now: dt.datetime) -> Patient:
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=patient.pk)
        before = _contact(patient)
        _apply(patient, data, now)
        patient.save()
        screening_record(patient=patient, answers=data.screening, by=by, now=now, only_changes=True)
        if _contact(patient) != before:
            import_string(CONTACT_CHANGED)(patient=patient)
    return patient


def patient_consent_update(
    *, patient: Patient, email_consent: bool, sms_consent: bool, via: str, ip: str | None, now: dt.datetime
) -> bool:
    """The patient's own answer to "may we send you reminders by e-mail / by text" (the online
    booking form): ticked gives consent (keeping the time it was first given), unticked withdraws
    it, like the desk's form. Writes an audit entry and re-plans what is waiting when anything
    changed; returns whether it did."""
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=patient.pk)
        before = _contact(patient)
        stamps = (patient.email_consent_at, patient.sms_consent_at)
        patient.email_consent_at = _consent_at(
            patient.email_consent_at, consent_with_contact(email_consent, patient.email), now
        )
        patient.sms_consent_at = _consent_at(
            patient.sms_consent_at, consent_with_contact(sms_consent, patient.phone), now
        )
        if (patient.email_consent_at, patient.sms_consent_at) == stamps:
            return False
        patient.save(update_fields=["email_consent_at", "sms_consent_at", "updated_at"])
        audit_record(
            request=None,
            action=AuditEntry.Action.CHANGE,
            object_type="patients.consent",
            object_id=patient.pk,
            patient_id=patient.pk,
            ip=ip,
            via=via,
        )
        if _contact(patient) != before:
            import_string(CONTACT_CHANGED)(patient=patient)
    return True
