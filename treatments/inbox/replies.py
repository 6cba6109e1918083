"""What a patient's reply by text does (the SMS webhook, treatments/inbox/views_sms.py):
C or YES confirms the session that the last text asking for a C sent to that number was about (a
reminder, the preparation text, a moved or rebooked notice), STOP (and the other words carriers
treat as STOP) withdraws SMS consent at once, anything else - or a C that cannot be tied to one
session still ahead, or any text from a number no patient has - lands in the desk's requests with
the words as sent. Each inbound text is
acted on once: its MessageSid (and Twilio's idempotency token) is stored, unique, in the same
transaction as what it did. Lives in treatments because a reply confirms an appointment;
notifications only checks the signature."""

import datetime as dt
import logging
import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from notifications.models import InboundSms, Message
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
    REPEAT = "repeat"  # the same inbound text again (a retry or a replay): nothing done


# The texts that end "Reply C to confirm", each about one session (appointment_id). A series
# confirmation carries no single session: a C after it goes to the desk.
ASKS_FOR_C = (Message.Kind.REMINDER, Message.Kind.PREPARE, Message.Kind.MOVED, Message.Kind.REBOOKED,
              Message.Kind.CONFIRMATION)  # fmt: skip


def _word(body: str) -> str:
    return re.sub(r"[^A-Z]", "", body.strip().upper())


def sms_patients(*, phone: str) -> list[Patient]:
    """The patients behind a number (a parent may book for two children on one phone)."""
    return list(Patient.objects.filter(phone=phone).order_by("pk")) if phone.startswith("+") else []


def sms_reply_receive(
    *,
    phone: str,
    patients: list[Patient],
    body: str,
    message_sid: str,
    idempotency_token: str = "",
    now: dt.datetime,
) -> str:
    """Acts on one text from `phone` (whose patients are `patients`, none for a number no patient
    has), once per MessageSid / idempotency token. Returns what it did (an Outcome);
    Outcome.REPEAT when this text was already acted on."""
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the unique index says whether it is new
                inbound = InboundSms.objects.create(
                    message_sid=message_sid, idempotency_token=idempotency_token or None, received_at=now
                )
        except IntegrityError:
            return Outcome.REPEAT
        inbound.outcome = _act(phone=phone, patients=patients, body=body, now=now)
        inbound.save(update_fields=["outcome"])
    return inbound.outcome


def _asked_about(patients: list[Patient]) -> int | None:
    """The session the last text asking for a C sent to this number was about, if any."""
    last = (
        Message.objects.filter(
            patient__in=patients,
            to=patients[0].phone,
            channel=Channel.SMS,
            status=Message.Status.SENT,
            kind__in=ASKS_FOR_C,
        )
        # A sweep's batch shares one sent_at and sends in (send_at, id) order: the last of them is
        # the last sent.
        .order_by("-sent_at", "-send_at", "-pk")
        .values_list("appointment_id", flat=True)
        .first()
    )
    return last


def _act(*, phone: str, patients: list[Patient], body: str, now: dt.datetime) -> str:
    word = _word(body)
    if not patients:
        # Nobody's number: the words go to the desk (who it is, a new phone, a wrong number).
        _to_desk(name=_("Text from a number no patient has"), phone=phone, body=body, patient=None, now=now)
        return Outcome.REQUEST
    if word in STOP_WORDS:
        for patient in patients:
            channel_unsubscribe(patient_id=patient.pk, channel=Channel.SMS)
        return Outcome.STOPPED
    if word in CONFIRM_WORDS and (appointment_id := _asked_about(patients)):
        ahead = Appointment.objects.filter(pk=appointment_id, status=Appointment.Status.BOOKED, start__gt=now)
        confirmed_at = ahead.values_list("patient_confirmed_at", flat=True).first()
        if confirmed_at is not None:
            return Outcome.CONFIRMED  # a second C for the same session changes nothing
        if ahead.exists() and appointment_patient_confirm(appointment_id=appointment_id, now=now):
            log.info("appointment %s confirmed by text", appointment_id)
            return Outcome.CONFIRMED
    # Anything else, or a "C" that cannot be tied to one session still ahead: a person reads it.
    patient = patients[0]
    _to_desk(name=f"{patient.first_name} {patient.last_name}", phone=patient.phone, body=body, patient=patient, now=now)
    return Outcome.REQUEST


def _to_desk(*, name: str, phone: str, body: str, patient: Patient | None, now: dt.datetime) -> None:
    ConsultationRequest.objects.create(
        name=name,
        phone=phone,
        email=patient.email if patient else "",
        message=body.strip()[:MAX_REPLY],
        consent_to_contact=True,
        kind=ConsultationRequest.Kind.SMS_REPLY,
        patient=patient,
        created_at=now,
    )
