"""Writes for online booking: hold a slot and send a code; check the code and book; or, when the
clinic takes new patients by request only, file a consultation request.

The booking itself is the desk's (`appointment_book`): the same checks, history and messages. The
hold is written under the same practitioner lock the desk's checks take (the booking kernel,
treatments/scheduling/services/kernel.py), so a hold and a desk booking can never both win one
slot; see OnlineBooking's docstring.
"""

from __future__ import annotations

import datetime as dt
import secrets
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from clinic.models import AppointmentType, ClinicSettings, Location, Practitioner
from clinic.tokens import token_hash
from notifications.sms import get_sms_backend
from patients.models import ConsultationRequest, Patient, ScreeningQuestion
from patients.services import (
    PatientData,
    consent_with_contact,
    patient_consent_update,
    patient_register,
    screening_record,
)
from patients.services_consult import ConsultationError, consultation_request_create
from treatments.booking.selectors import online_start_problem, online_window
from treatments.models import OnlineBooking
from treatments.scheduling.rules import type_times
from treatments.scheduling.services.booking import appointment_book
from treatments.scheduling.services.kernel import (
    BookingError,
    SlotTaken,
    booking_transaction,
    check_slot,
    lock_practitioner,
)

CODE_VALID = dt.timedelta(minutes=10)
# A little longer than the code, so a patient typing the code at 9:59 still finds the slot held.
HOLD_VALID = dt.timedelta(minutes=15)
WRONG_CODE = _("That code is not right, or it has expired. Check the latest message, or ask for a new code.")


def _code_hash(booking_id: int, code: str) -> str:
    # Salted with the row's id: the same six digits never hash alike for two bookings.
    return token_hash(f"online-booking:{booking_id}:{code}")


def _code_new() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _code_send(*, channel: str, email: str, phone: str, code: str, clinic_name: str) -> None:
    text = _("Your %(clinic)s booking code is %(code)s. It expires in 10 minutes.") % {
        "clinic": clinic_name,
        "code": code,
    }
    if channel == OnlineBooking.CodeChannel.SMS:
        get_sms_backend().send(to=phone, text=text)
    else:
        send_mail(_("Your booking code"), text, settings.DEFAULT_FROM_EMAIL, [email])


def online_hold_create(
    *,
    appointment_type: AppointmentType,
    location: Location,
    practitioners: list[Practitioner],
    start: dt.datetime,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date,
    email: str,
    phone: str,
    code_channel: str,
    email_consent: bool,
    sms_consent: bool,
    screening: dict[str, bool],
    now: dt.datetime,
) -> OnlineBooking:
    """Hold `start` with the first of `practitioners` free then and send a code by `code_channel`
    (after commit). Raises BookingError with a sentence for the patient."""
    clinic = ClinicSettings.load()
    if not (appointment_type.active and appointment_type.bookable_online and location.active):
        raise BookingError(_("That appointment cannot be booked online."))
    if start.tzinfo is None:
        raise BookingError(_("The time has no time zone."))
    problem = online_start_problem(start=start, window=online_window(clinic=clinic, now=now))
    if problem:
        raise BookingError(problem)
    if code_channel == OnlineBooking.CodeChannel.SMS and not phone:
        raise BookingError(_("Give a mobile number to get the code by text message."))
    if code_channel == OnlineBooking.CodeChannel.EMAIL and not email:
        raise BookingError(_("Give an e-mail address to get the code by e-mail."))
    duration, buffer = type_times(appointment_type)
    code = _code_new()
    for practitioner in practitioners:
        try:
            with booking_transaction():
                # The practitioner's lock first (the expired holds are theirs), then the desk's
                # one-slot check under it. A patient record does not exist yet; the patient's own
                # clashes are checked at booking.
                lock_practitioner(practitioner)
                OnlineBooking.objects.filter(
                    practitioner=practitioner, status=OnlineBooking.Status.HELD, expires_at__lte=now
                ).update(status=OnlineBooking.Status.EXPIRED)
                check_slot(
                    patient=None,
                    practitioner=practitioner,
                    location=location,
                    appointment_type=appointment_type,
                    start=start,
                    now=now,
                    room=None,
                )
                booking = OnlineBooking.objects.create(
                    appointment_type=appointment_type,
                    practitioner=practitioner,
                    location=location,
                    start=start,
                    end=start + duration + buffer,
                    expires_at=now + HOLD_VALID,
                    first_name=first_name.strip(),
                    last_name=last_name.strip(),
                    date_of_birth=date_of_birth,
                    email=email.strip().lower(),
                    phone=phone,
                    email_consent=consent_with_contact(email_consent, email),
                    sms_consent=consent_with_contact(sms_consent, phone),
                    screening={q: bool(a) for q, a in screening.items() if q in ScreeningQuestion.values},
                    code_channel=code_channel,
                    code_hash="",
                    code_expires_at=now + CODE_VALID,
                    created_at=now,
                )
                booking.code_hash = _code_hash(booking.pk, code)
                booking.save(update_fields=["code_hash"])
        except BookingError:
            continue
        transaction.on_commit(
            partial(
                _code_send,
                channel=booking.code_channel,
                email=booking.email,
                phone=booking.phone,
                code=code,
                clinic_name=clinic.name,
            )
        )
        return booking
    raise SlotTaken(_("That time is no longer free. Please pick another."))


def online_hold_release(*, booking_id: int, now: dt.datetime) -> None:
    """Give a hold back (the same browser picked another time): one patient, one held slot."""
    OnlineBooking.objects.filter(pk=booking_id, status=OnlineBooking.Status.HELD).update(
        status=OnlineBooking.Status.EXPIRED, expires_at=now
    )


def online_code_resend(*, booking: OnlineBooking, now: dt.datetime) -> None:
    """A fresh code (the old one stops working); the tries left are not reset."""
    code = _code_new()
    with transaction.atomic():
        booking = OnlineBooking.objects.select_for_update().get(pk=booking.pk)
        if booking.status != OnlineBooking.Status.HELD or booking.expires_at <= now:
            raise BookingError(_("The time you picked is no longer held. Please pick a time again."))
        booking.code_hash = _code_hash(booking.pk, code)
        booking.code_expires_at = now + CODE_VALID
        booking.save(update_fields=["code_hash", "code_expires_at"])
        clinic_name = ClinicSettings.load().name
        transaction.on_commit(
            lambda: _code_send(
                channel=booking.code_channel,
                email=booking.email,
                phone=booking.phone,
                code=code,
                clinic_name=clinic_name,
            )
        )


def _consent_from_form(patient: Patient, booking: OnlineBooking, ip: str | None, now: dt.datetime) -> None:
    """A known patient's ticks update their consent, channel by channel, but only where the contact
    typed on the form is the one on their record: a tick is about that address or number."""
    same_email = bool(booking.email) and patient.email.lower() == booking.email
    same_phone = bool(booking.phone) and patient.phone == booking.phone
    patient_consent_update(
        patient=patient,
        email_consent=booking.email_consent if same_email else patient.email_consent_at is not None,
        sms_consent=booking.sms_consent if same_phone else patient.sms_consent_at is not None,
        via="online-booking",
        ip=ip,
        now=now,
    )


def _patient_for(booking: OnlineBooking, now: dt.datetime, ip: str | None = None) -> Patient:
    """The patient whose VERIFIED contact and date of birth match, or a new record. A name alone
    never matches: two people can share one, and a typed name proves nothing."""
    if booking.code_channel == OnlineBooking.CodeChannel.SMS:
        matches = Patient.objects.filter(phone=booking.phone, date_of_birth=booking.date_of_birth)
    else:
        matches = Patient.objects.filter(email__iexact=booking.email, date_of_birth=booking.date_of_birth)
    found = list(matches[:2])
    if len(found) == 1:
        patient = found[0]
        screening_record(patient=patient, answers=booking.screening, by=None, now=now, only_changes=True)
        _consent_from_form(patient, booking, ip, now)
        return patient
    return patient_register(
        data=PatientData(
            first_name=booking.first_name,
            last_name=booking.last_name,
            date_of_birth=booking.date_of_birth,
            phone=booking.phone,
            email=booking.email,
            preferred_channel=booking.code_channel,
            email_consent=booking.email_consent,
            sms_consent=booking.sms_consent,
            screening=booking.screening,
        ),
        by=None,
        now=now,
    )


class CodeRefused(BookingError):
    """A wrong, expired or used-up code; `tries_left` is 0 once the hold is given up."""

    def __init__(self, message: str, tries_left: int):
        super().__init__(message)
        self.tries_left = tries_left


def online_booking_confirm(
    *, booking: OnlineBooking, code: str, now: dt.datetime, client_address: str | None = None
) -> OnlineBooking:
    """Check the code; when right, book the held slot through the desk's booking service.
    `client_address` goes into the audit entry of a known patient's consent change."""
    # A wrong try must be counted even though the caller sees an error: its own transaction.
    with transaction.atomic():
        lock_practitioner(booking.practitioner)
        booking = OnlineBooking.objects.select_for_update().select_related("appointment_type").get(pk=booking.pk)
        if booking.status == OnlineBooking.Status.BOOKED:
            return booking
        if booking.status != OnlineBooking.Status.HELD or booking.code_tries >= OnlineBooking.MAX_CODE_TRIES:
            raise CodeRefused(_("This booking was not completed. Please pick a time again."), tries_left=0)
        code_ok = (
            code.isdigit()
            and len(code) == 6
            and booking.code_expires_at > now
            and secrets.compare_digest(booking.code_hash, _code_hash(booking.pk, code))
        )
        if not code_ok:
            booking.code_tries += 1
            if booking.code_tries >= OnlineBooking.MAX_CODE_TRIES:
                # The fifth wrong try gives the slot back.
                booking.status = OnlineBooking.Status.EXPIRED
            booking.save(update_fields=["code_tries", "status"])
            tries_left = OnlineBooking.MAX_CODE_TRIES - booking.code_tries
            if not tries_left:
                message = _("That code was wrong five times, so the time is no longer held. Please start again.")
            else:
                message = WRONG_CODE
            failed = CodeRefused(message, tries_left=tries_left)
        else:
            failed = None
    if failed is not None:
        raise failed
    with booking_transaction():
        lock_practitioner(booking.practitioner)
        booking = OnlineBooking.objects.select_for_update().select_related("appointment_type").get(pk=booking.pk)
        if booking.status != OnlineBooking.Status.HELD:
            raise SlotTaken(_("The time you picked is no longer held. Please pick a time again."))
        # Give the hold up first, so the desk's check below sees the slot as free; the lock keeps
        # everyone else out until this transaction ends. Past its expiry the slot may still be free.
        booking.status = OnlineBooking.Status.EXPIRED
        booking.save(update_fields=["status"])
        patient = _patient_for(booking, now, client_address)
        appointment = appointment_book(
            patient=patient,
            practitioner=booking.practitioner,
            location=booking.location,
            appointment_type=booking.appointment_type,
            start=booking.start,
            by=None,
            now=now,
        )
        booking.status = OnlineBooking.Status.BOOKED
        booking.appointment = appointment
        booking.save(update_fields=["status", "appointment"])
    return booking


def online_request_file(
    *, name: str, email: str, phone: str, screening: dict[str, bool], now: dt.datetime
) -> ConsultationRequest:
    """Request-only clinics: a consultation request for the desk to call back, nothing held. The
    screening "yes" answers go into its message, for the call."""
    yes = [str(label) for question, label in ScreeningQuestion.choices if screening.get(question)]
    message = _("Sent from the online booking page.")
    if yes:
        message += " " + _("Screening, answered yes: %(list)s.") % {"list": "; ".join(yes)}
    try:
        return consultation_request_create(
            name=name,
            email=email,
            phone=phone,
            preferred_times="",
            message=message,
            consent=True,
            self_check={},
            now=now,
        )
    except ConsultationError as exc:
        raise BookingError(str(exc)) from exc
