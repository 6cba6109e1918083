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

from clinic.localtime import clinic_zone, local_date, local_datetime
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
from treatments import hooks
from treatments.booking.selectors import online_practitioners, online_slots, online_start_problem, online_window
from treatments.models import Appointment, OnlineBooking
from treatments.scheduling.rules import type_times
from treatments.scheduling.services.booking import appointment_book
from treatments.scheduling.services.kernel import (
    BookingError,
    SlotTaken,
    booking_transaction,
    check_slot,
    lock_practitioner,
)

# A hold lasts until the code is checked or five minutes (issue 20: holds must not take a day
# hostage); the code works as long as the hold.
CODE_VALID = dt.timedelta(minutes=5)
HOLD_VALID = dt.timedelta(minutes=5)
DAY_FULL = _(
    "Many of this day's times are being held by other people booking right now. Please try again in a "
    "few minutes, or pick another day."
)
DESK_TOOK_IT = _(
    "Sorry: while you were entering your code, the clinic booked that time for someone else. "
    "Nothing was booked for you. Please pick another time."
)
# A hold being paid for: past this, the card gateway is asked before the slot is given back (the
# gateway's page lives 31 minutes: billing/services/online.py).
PAYING_HOLD = dt.timedelta(minutes=35)
WRONG_CODE = _("That code is not right, or it has expired. Check the latest message, or ask for a new code.")


def _code_hash(booking_id: int, code: str) -> str:
    # Salted with the row's id: the same six digits never hash alike for two bookings.
    return token_hash(f"online-booking:{booking_id}:{code}")


def _code_new() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _code_send(*, channel: str, email: str, phone: str, code: str, clinic_name: str) -> None:
    text = _("Your %(clinic)s booking code is %(code)s. It expires in 5 minutes.") % {
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
                # One hold at a time per location passes the day's share check (PostgreSQL).
                # NO KEY: the desk's insert of an appointment at this location (a key share) is not held up.
                list(
                    Location.objects.select_for_update(no_key=True).filter(pk=location.pk).values_list("pk", flat=True)
                )
                # The practitioner's lock (the expired holds are theirs), then the desk's one-slot
                # check under it. A patient record does not exist yet; the patient's own clashes are
                # checked at booking.
                lock_practitioner(practitioner)
                OnlineBooking.objects.filter(
                    practitioner=practitioner, status=OnlineBooking.Status.HELD, expires_at__lte=now
                ).update(status=OnlineBooking.Status.EXPIRED)
                # The same visitor asking for the same time again (back, then send): their earlier
                # hold gives way to this one (a new code), rather than refusing them their own time.
                OnlineBooking.objects.filter(
                    practitioner=practitioner,
                    status=OnlineBooking.Status.HELD,
                    start=start,
                    date_of_birth=date_of_birth,
                    email=email.strip().lower(),
                    phone=phone,
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
                _day_share_check(
                    appointment_type=appointment_type, location=location, start=start, clinic=clinic, now=now
                )
        except DayFull:
            raise
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


class DayFull(BookingError):
    """The day's share of free times that unverified visitors may hold is taken."""


def _day_share_check(
    *,
    appointment_type: AppointmentType,
    location: Location,
    start: dt.datetime,
    clinic: ClinicSettings,
    now: dt.datetime,
) -> None:
    """Called with the new hold written (its transaction still open): refuse it when the live holds
    would keep more than ONLINE_HOLD_DAY_SHARE of the day's online times (the starts offered but for
    holds) from everyone else. A day's first hold is always allowed."""
    day = local_date(start, clinic_zone())
    held = OnlineBooking.objects.filter(
        location=location,
        status=OnlineBooking.Status.HELD,
        expires_at__gt=now,
        start__gte=local_datetime(day, dt.time(0, 0)),
        start__lt=local_datetime(day + dt.timedelta(days=1), dt.time(0, 0)),
    ).count()
    if held <= 1:
        return
    practitioners = online_practitioners(location=location)
    window = online_window(clinic=clinic, now=now)

    def starts(moment: dt.datetime | None) -> int:
        return len(
            online_slots(
                appointment_type=appointment_type,
                location=location,
                practitioners=practitioners,
                day=day,
                window=window,
                now=moment,
            )
        )

    offered = starts(None)  # as if nobody held any
    free = starts(now)
    if offered - free > settings.ONLINE_HOLD_DAY_SHARE * offered:
        raise DayFull(DAY_FULL)


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
        if booking.status in (OnlineBooking.Status.BOOKED, OnlineBooking.Status.PAYING):
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
