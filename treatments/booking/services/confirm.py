"""Online booking's confirmation: check the code, then book the held slot through the desk's
booking service (`appointment_book`), or, when the clinic asks a deposit, keep it held
("paying") until the card gateway confirms the payment (`online_booking_complete`); holds being
paid for past their time are settled or given back (`online_paying_release`)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from patients.models import Patient
from patients.services import PatientData, patient_consent_update, patient_register, screening_record
from treatments import hooks
from treatments.booking.services.holds import code_hash
from treatments.models import Appointment, OnlineBooking
from treatments.scheduling.services.booking import appointment_book
from treatments.scheduling.services.kernel.slots import BookingError, SlotTaken, booking_transaction, lock_practitioner

DESK_TOOK_IT = _(
    "Sorry: while you were entering your code, the clinic booked that time for someone else. "
    "Nothing was booked for you. Please pick another time."
)
# A hold being paid for: past this, the card gateway is asked before the slot is given back (the
# gateway's page lives 31 minutes: billing/services/online.py).
PAYING_HOLD = dt.timedelta(minutes=35)
WRONG_CODE = _("That code is not right, or it has expired. Check the latest message, or ask for a new code.")


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
        if booking.status in (OnlineBooking.Status.BOOKED, OnlineBooking.Status.PAYING):
            return booking
        if booking.status != OnlineBooking.Status.HELD or booking.code_tries >= OnlineBooking.MAX_CODE_TRIES:
            raise CodeRefused(_("This booking was not completed. Please pick a time again."), tries_left=0)
        code_ok = (
            code.isdigit()
            and len(code) == 6
            and booking.code_expires_at > now
            and secrets.compare_digest(booking.code_hash, code_hash(booking.pk, code))
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
    if booking.status != OnlineBooking.Status.HELD:
        return booking
    step = hooks.online_payment()
    if step is not None and step.deposit_due(
        appointment_type_id=booking.appointment_type_id, start=booking.start, now=now
    ):
        return _paying(booking, now=now, client_address=client_address)
    return _book(booking, now=now, client_address=client_address, status=OnlineBooking.Status.HELD)


def _paying(booking: OnlineBooking, *, now: dt.datetime, client_address: str | None) -> OnlineBooking:
    """The clinic asks a deposit: the contact is proven, so the patient is found or registered and
    the slot stays held ("paying") while they pay; nothing is booked until the gateway confirms."""
    with booking_transaction():
        lock_practitioner(booking.practitioner)
        booking = OnlineBooking.objects.select_for_update().get(pk=booking.pk)
        if booking.status == OnlineBooking.Status.PAYING:
            return booking
        if booking.status != OnlineBooking.Status.HELD:
            raise SlotTaken(_("The time you picked is no longer held. Please pick a time again."))
        booking.patient = _patient_for(booking, now, client_address)
        booking.status = OnlineBooking.Status.PAYING
        booking.expires_at = now + PAYING_HOLD
        booking.save(update_fields=["patient", "status", "expires_at"])
    return booking


def online_booking_complete(*, booking_id: int, now: dt.datetime) -> OnlineBooking:
    """Book a held slot whose deposit the card gateway confirmed (called by the payment step, inside
    its transaction). Booking it twice returns the first booking."""
    booking = OnlineBooking.objects.select_related("practitioner").get(pk=booking_id)
    if booking.status == OnlineBooking.Status.BOOKED:
        return booking
    return _book(booking, now=now, client_address=None, status=OnlineBooking.Status.PAYING)


def online_paying_release(*, now: dt.datetime) -> int:
    """Holds being paid for, past their time: the payment step asks the card gateway about each
    first. Paid: it is booked (whatever became of the webhook). Not paid and no longer payable: the
    slot is given back. Not known (the gateway's page still open, or the gateway not answering):
    kept, and asked again next time. Returns how many were given back."""
    step = hooks.online_payment()
    released = 0
    waiting = OnlineBooking.objects.filter(status=OnlineBooking.Status.PAYING, expires_at__lte=now).values_list(
        "pk", flat=True
    )
    for booking_id in list(waiting[:200]):
        answer = step.settle(booking_id=booking_id, now=now) if step is not None else False
        if answer is False:
            released += OnlineBooking.objects.filter(pk=booking_id, status=OnlineBooking.Status.PAYING).update(
                status=OnlineBooking.Status.EXPIRED
            )
    return released


def _book(booking: OnlineBooking, *, now: dt.datetime, client_address: str | None, status: str) -> OnlineBooking:
    with booking_transaction():
        lock_practitioner(booking.practitioner)
        booking = OnlineBooking.objects.select_for_update().select_related("appointment_type").get(pk=booking.pk)
        if booking.status != status:
            raise SlotTaken(_("The time you picked is no longer held. Please pick a time again."))
        # Give the hold up first, so the desk's check below sees the slot as free; the lock keeps
        # everyone else out until this transaction ends. Past its expiry the slot may still be free.
        booking.status = OnlineBooking.Status.EXPIRED
        booking.save(update_fields=["status"])
        patient = booking.patient or _patient_for(booking, now, client_address)
        try:
            appointment = appointment_book(
                patient=patient,
                practitioner=booking.practitioner,
                location=booking.location,
                appointment_type=booking.appointment_type,
                start=booking.start,
                by=None,
                now=now,
            )
        except BookingError as exc:
            if _desk_booked_over(booking):
                raise SlotTaken(DESK_TOOK_IT) from exc
            raise
        booking.status = OnlineBooking.Status.BOOKED
        booking.appointment = appointment
        booking.save(update_fields=["status", "appointment"])
    return booking


def _desk_booked_over(booking: OnlineBooking) -> bool:
    """The desk may book over an online hold: is the held time now the practitioner's appointment?"""
    return Appointment.objects.filter(
        practitioner=booking.practitioner,
        status__in=Appointment.LIVE_STATUSES,
        start__lt=booking.end,
        end__gt=booking.start,
        created_at__gte=booking.created_at,
    ).exists()
