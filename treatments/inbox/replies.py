"""What a patient's reply by text does (the SMS webhook, treatments/inbox/views_sms.py):
C or YES confirms their next session, STOP (and the other words carriers treat as STOP) withdraws
SMS consent at once, anything else lands in the desk's requests with the words as sent. Lives in
treatments because a reply confirms an appointment; notifications only checks the signature."""

import datetime as dt
import logging
import re

from django.db import transaction

from notifications.services import channel_unsubscribe
from patients.models import Channel, ConsultationRequest, Patient
from treatments.models import Appointment
from treatments.scheduling.services.attendance import appointment_patient_confirm

log = logging.getLogger(__name__)

CONFIRM_WORDS = frozenset({"C", "YES", "Y", "CONFIRM"})
# Twilio's own opt-out words: the carrier stops delivery on these, so the clinic must stop too.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
MAX_REPLY = 1600  # the longest text Twilio delivers to a webhook


class Outcome:
    CONFIRMED = "confirmed"
    STOPPED = "stopped"
    REQUEST = "request"


def _word(body: str) -> str:
    return re.sub(r"[^A-Z]", "", body.strip().upper())


def sms_patients(*, phone: str) -> list[Patient]:
    """The patients behind a number (a parent may book for two children on one phone)."""
    return list(Patient.objects.filter(phone=phone).order_by("pk")) if phone.startswith("+") else []


def sms_reply_receive(*, patients: list[Patient], body: str, now: dt.datetime) -> str:
    """Acts on one reply from a known number. Returns what it did (an Outcome)."""
    word = _word(body)
    if word in STOP_WORDS:
        for patient in patients:
            channel_unsubscribe(patient_id=patient.pk, channel=Channel.SMS)
        return Outcome.STOPPED
    if word in CONFIRM_WORDS:
        upcoming = (
            Appointment.objects.filter(
                patient__in=patients, status=Appointment.Status.BOOKED, start__gt=now, patient_confirmed_at__isnull=True
            )
            .order_by("start")
            .values_list("pk", flat=True)
            .first()
        )
        if upcoming and appointment_patient_confirm(appointment_id=upcoming, now=now):
            log.info("appointment %s confirmed by text", upcoming)
            return Outcome.CONFIRMED
    # Anything else, or a "C" with nothing left to confirm: a person reads it.
    patient = patients[0]
    with transaction.atomic():
        ConsultationRequest.objects.create(
            name=f"{patient.first_name} {patient.last_name}",
            phone=patient.phone,
            email=patient.email,
            message=body.strip()[:MAX_REPLY],
            consent_to_contact=True,
            kind=ConsultationRequest.Kind.SMS_REPLY,
            patient=patient,
            created_at=now,
        )
    return Outcome.REQUEST
