"""Writes made by patients from their secure link: screening answers before a session, "I will be
there", cancelling or asking to move, and the "how do you feel?" check-in."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from clinic.models import ClinicSettings
from patients.models import ConsultationRequest, Patient, PortalToken, ScreeningAnswer
from treatments.models import Appointment, OutcomeScore, PainCheckIn, RedFlag, TreatmentSeries
from treatments.portal.slots import portal_move_choices, portal_next_session
from treatments.scheduling.services.attendance import appointment_patient_confirm
from treatments.scheduling.services.booking import (
    BookingError,
    appointment_cancel,
    appointment_move,
    series_add_session,
)


class PortalError(Exception):
    """A patient's request the clinic's rules do not allow; the message is shown to them."""


def portal_token_touch(*, token: PortalToken, now: dt.datetime) -> None:
    # A plain update: no need to lock, the last writer wins.
    PortalToken.objects.filter(pk=token.pk).update(last_used_at=now)


def appointment_is_upcoming(*, appointment: Appointment, now: dt.datetime) -> bool:
    return appointment.status == Appointment.Status.BOOKED and appointment.start > now


def cancel_allowed_online(*, appointment: Appointment, now: dt.datetime, clinic: ClinicSettings) -> bool:
    """Outside the clinic's notice period a patient may cancel online; inside it they phone."""
    notice = dt.timedelta(hours=clinic.cancellation_notice_hours)
    return appointment_is_upcoming(appointment=appointment, now=now) and appointment.start - now >= notice


def _require_changeable(*, appointment: Appointment, now: dt.datetime, clinic: ClinicSettings) -> None:
    if not appointment_is_upcoming(appointment=appointment, now=now):
        raise PortalError(_("This session is over or cancelled, so it cannot be changed here."))
    if not cancel_allowed_online(appointment=appointment, now=now, clinic=clinic):
        raise PortalError(
            _("This session is too soon to change online. Please call us on %(phone)s.") % {"phone": clinic.phone}
        )


def portal_screening_record(
    *, patient: Patient, appointment: Appointment, answers: dict[str, bool], note: str, now: dt.datetime
) -> list[ScreeningAnswer]:
    """One answer per question, tied to the session; a "yes" reaches the practitioner as a flag."""
    if appointment.patient_id != patient.pk:
        raise PortalError(_("This session is not yours."))
    if not appointment_is_upcoming(appointment=appointment, now=now):
        raise PortalError(_("This session is over or cancelled, so there is nothing to prepare."))
    rows = [
        ScreeningAnswer(
            patient=patient,
            question=question,
            answer=answer,
            note=note[:250],
            source=ScreeningAnswer.Source.PORTAL,
            appointment_id=appointment.pk,
            answered_at=now,
        )
        for question, answer in answers.items()
    ]
    with transaction.atomic():
        return ScreeningAnswer.objects.bulk_create(rows)


def portal_appointment_confirm(*, appointment: Appointment, now: dt.datetime) -> None:
    if not appointment_patient_confirm(appointment_id=appointment.pk, now=now):
        raise PortalError(_("This session is over or cancelled, so it cannot be confirmed."))
    appointment.patient_confirmed_at = now


def portal_appointment_cancel(*, appointment: Appointment, reason: str, now: dt.datetime) -> Appointment:
    """Cancel through the one booking service, only while the clinic's notice period allows it."""
    clinic = ClinicSettings.load()
    _require_changeable(appointment=appointment, now=now, clinic=clinic)
    try:
        # The desk's booking service owns every cancellation (history, messages, the slot).
        return appointment_cancel(
            appointment=appointment,
            kind=Appointment.CancelKind.PATIENT,
            reason=reason or _("Cancelled by the patient online"),
            by=None,
            now=now,
        ).appointment
    except BookingError as exc:
        raise PortalError(exc.message) from exc


def portal_appointment_reschedule(*, appointment: Appointment, start: dt.datetime, now: dt.datetime) -> Appointment:
    """Move a session to a time the patient was offered, through the desk's move service (same
    history with by=None, same messages, same calendar). Only an offered time is accepted: the
    offer is worked out again now, so a time posted by hand or taken meanwhile is refused."""
    clinic = ClinicSettings.load()
    _require_changeable(appointment=appointment, now=now, clinic=clinic)
    if not portal_move_choices(appointment=appointment, now=now).offers(start):
        raise PortalError(_("That time is no longer free. Please choose another one."))
    try:
        appointment_move(
            appointment=appointment,
            start=start,
            by=None,
            now=now,
            reason=_("Moved by the patient online"),
            by_patient=True,
        )
    except BookingError as exc:
        raise PortalError(exc.message) from exc
    appointment.refresh_from_db()
    return appointment


def portal_session_book(*, series: TreatmentSeries, start: dt.datetime, now: dt.datetime) -> Appointment:
    """Book the next planned session of a series at an offered time, through the desk's service."""
    nxt = portal_next_session(series=series, now=now)
    if nxt is None:
        raise PortalError(_("Your plan has no further session to book online. Please call us."))
    if not nxt.choices.offers(start):
        raise PortalError(_("That time is no longer free. Please choose another one."))
    try:
        return series_add_session(series=series, start=start, by=None, now=now)
    except BookingError as exc:
        raise PortalError(exc.message) from exc


def portal_move_request(
    *, patient: Patient, appointment: Appointment, note: str, now: dt.datetime
) -> ConsultationRequest:
    """Moving needs a person to find a new time: the request goes to the desk's inbox."""
    clinic = ClinicSettings.load()
    _require_changeable(appointment=appointment, now=now, clinic=clinic)
    if not (patient.email or patient.phone):
        raise PortalError(
            _("We have no phone number or e-mail for you. Please call us on %(phone)s.") % {"phone": clinic.phone}
        )
    with transaction.atomic():
        return ConsultationRequest.objects.create(
            kind=ConsultationRequest.Kind.MOVE,
            patient=patient,
            appointment_id=appointment.pk,
            name=patient.full_name,
            email=patient.email,
            phone=patient.phone,
            preferred_times=note[:250],
            consent_to_contact=True,
            created_at=now,
        )


def portal_checkin_record(
    *, patient: Patient, pain: int, note: str, red_flags: list[str], now: dt.datetime
) -> PainCheckIn:
    """The check-in and its pain score on the outcome chart, together. Red flags stay on the
    check-in until the desk acknowledges them, which is what puts them in the desk's inbox."""
    if not 0 <= pain <= 10:
        raise PortalError(_("Please choose a number from 0 to 10."))
    unknown = set(red_flags) - set(RedFlag.LABELS)
    if unknown:
        raise PortalError(_("Please tick only the warning signs listed."))
    series: TreatmentSeries | None = (
        TreatmentSeries.objects.filter(patient=patient, status=TreatmentSeries.Status.ACTIVE)
        .order_by("-created_at")
        .first()
    )
    last_session = None
    if series is not None:
        last_session = (
            series.appointments.filter(status=Appointment.Status.COMPLETED, start__lte=now).order_by("-start").first()
        )
    with transaction.atomic():
        checkin = PainCheckIn.objects.create(
            patient=patient, series=series, pain=pain, note=note[:1000], red_flags=sorted(red_flags), created_at=now
        )
        OutcomeScore.objects.create(
            patient=patient,
            series=series,
            appointment=last_session,
            measure=OutcomeScore.Measure.PAIN_NRS,
            value=pain,
            recorded_at=now,
            source=OutcomeScore.Source.CHECKIN,
        )
    return checkin
