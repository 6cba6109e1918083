"""Online booking's holds: hold a slot and send a code (the hold kept to the day's share of
unverified visitors), give a hold back, send a fresh code; and, for request-only clinics, file a
consultation request. The code is checked and the slot booked in confirm.py."""

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
from patients.models import ConsultationRequest, ScreeningQuestion
from patients.services import consent_with_contact
from patients.services_consult import ConsultationError, consultation_request_create
from treatments.booking.selectors import online_practitioners, online_slots, online_start_problem, online_window
from treatments.models import OnlineBooking
from treatments.scheduling.rules import type_times
from treatments.scheduling.services.kernel.slots import (
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


def code_hash(booking_id: int, code: str) -> str:
    """The stored hash of a booking's code (the hold writes it, the confirmation checks it). Salted
    with the row's id: the same six digits never hash alike for two bookings."""
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
                booking.code_hash = code_hash(booking.pk, code)
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
        booking.code_hash = code_hash(booking.pk, code)
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
