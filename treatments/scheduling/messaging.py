"""Which messages an appointment needs. Booking, moving, cancelling and signing call these inside
their own transaction; they store Message rows through notifications.services (the outbox), with
dedupe keys so calling twice changes nothing.

CONTRACT (shared by the desk, practitioner and portal code): the signatures of the hooks
below are fixed. `message_facts` is the other direction: the outbox asks it, at send time, whether
a message is still wanted and for the plain facts its text needs.
"""

import datetime as dt
from dataclasses import replace
from typing import TypedDict

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from clinic.localtime import local_date, local_datetime, local_shift
from clinic.models import ClinicSettings
from notifications.facts import SendFacts
from notifications.models import Message
from notifications.services import Planned, messages_cancel, messages_plan
from treatments.models import Appointment, SessionRecord, TreatmentSeries, WaitlistOffer
from treatments.scheduling.feeds import sessions_file
from treatments.scheduling.notices import NOTICE_KINDS, notice_appointment_ids, notice_events, notice_facts
from treatments.scheduling.rules import reminder_moment

Kind = Message.Kind
BEFORE_SESSION = (Kind.PREPARE, Kind.REMINDER)


def _local_day_at(start: dt.datetime, days_after: int, at: dt.time) -> dt.datetime:
    return local_datetime(local_date(start) + dt.timedelta(days=days_after), at)


class _About(TypedDict):
    """What a planned message is about: Planned's appointment_id and series_id."""

    appointment_id: int
    series_id: int | None


def _before_session(appointment: Appointment, clinic: ClinicSettings, now: dt.datetime) -> list[Planned]:
    if appointment.status != Appointment.Status.BOOKED or appointment.start <= now:
        return []
    base: _About = {"appointment_id": appointment.pk, "series_id": appointment.series_id}
    reminder_at = reminder_moment(appointment.start, clinic)
    plans = []
    if appointment.appointment_type.is_injection:
        # Offsets count on the clinic's wall clock, as a patient means "the day before".
        prepare_at = local_shift(appointment.start, -dt.timedelta(hours=clinic.prep_reminder_hours))
        plans.append(Planned(f"appt:{appointment.pk}:prepare", Kind.PREPARE, max(prepare_at, now), **base))
        if reminder_at <= now:
            # Booked inside both windows: the preparation message, due now, already names the time.
            return plans
    plans.append(Planned(f"appt:{appointment.pk}:reminder", Kind.REMINDER, max(reminder_at, now), **base))
    return plans


def series_booked(*, series: TreatmentSeries, now: dt.datetime) -> None:
    """A whole series was just booked: a confirmation listing every date (with an .ics) and the
    reminders before each session."""
    clinic = ClinicSettings.load()
    appointments = series.appointments.filter(status__in=Appointment.LIVE_STATUSES).select_related("appointment_type")
    wanted = [Planned(f"series:{series.pk}:confirmation", Kind.CONFIRMATION, now, series_id=series.pk)]
    for appointment in appointments:
        wanted += _before_session(appointment, clinic, now)
    messages_plan(patient=series.patient, wanted=wanted, now=now)


def appointment_changed(*, appointment: Appointment, now: dt.datetime) -> None:
    """An appointment was booked, moved, cancelled or marked no-show: re-time its pending
    reminders, or cancel them when it is no longer live."""
    if appointment.status in (Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW):
        messages_cancel(appointment_id=appointment.pk, reason=_("The appointment was cancelled."))
        return
    if appointment.status != Appointment.Status.BOOKED:
        messages_cancel(appointment_id=appointment.pk, kinds=BEFORE_SESSION, reason=_("The patient has arrived."))
        return
    clinic = ClinicSettings.load()
    wanted = _before_session(appointment, clinic, now)
    if not wanted:
        # Moved into the past (a correction): nothing before it can be sent any more.
        messages_cancel(appointment_id=appointment.pk, kinds=BEFORE_SESSION, reason=_("The session time has passed."))
    else:
        # Moved inside the reminder window (e.g. to later today): the preparation message, due now,
        # names the new time, so the old reminder must not stay pending for the day before.
        unwanted = [kind for kind in BEFORE_SESSION if kind not in {plan.kind for plan in wanted}]
        if unwanted:
            messages_cancel(
                appointment_id=appointment.pk, kinds=unwanted, reason=_("The session moved; the time was sent at once.")
            )
        if appointment.series_id:
            # A later session now exists, so the last one signed was not the last: outcome
            # check-ins are planned again when the new last session is signed.
            messages_cancel(
                series_id=appointment.series_id, kinds=[Kind.OUTCOME], reason=_("The series has more sessions.")
            )
    messages_plan(patient=appointment.patient, wanted=wanted, now=now)


def appointment_confirmed(*, appointment: Appointment, now: dt.datetime) -> None:
    """A confirmation with the appointment's .ics for a standalone booking, whoever made it: the
    patient who booked on the phone has it in writing too (and the practitioner's name)."""
    wanted = [Planned(f"appt:{appointment.pk}:confirmation", Kind.CONFIRMATION, now, appointment_id=appointment.pk)]
    messages_plan(patient=appointment.patient, wanted=wanted, now=now)


def session_signed(*, appointment: Appointment, now: dt.datetime) -> None:
    """A session record was signed: aftercare that evening, a day-2 check-in, a day-7 follow-up;
    after the last session of a series, outcome check-ins at 6 and 12 weeks."""
    clinic = ClinicSettings.load()
    at = clinic.aftercare_local_time
    base: _About = {"appointment_id": appointment.pk, "series_id": appointment.series_id}
    key = f"appt:{appointment.pk}"
    wanted = [
        # Signed after the evening message's time: it goes now rather than never.
        Planned(f"{key}:aftercare", Kind.AFTERCARE, max(_local_day_at(appointment.start, 0, at), now), **base),
        Planned(f"{key}:checkin", Kind.CHECKIN, _local_day_at(appointment.start, clinic.checkin_day, at), **base),
        Planned(f"{key}:followup", Kind.FOLLOWUP, _local_day_at(appointment.start, clinic.followup_day, at), **base),
    ]
    is_last = (
        appointment.series_id
        and not Appointment.objects.filter(
            series_id=appointment.series_id, status__in=Appointment.LIVE_STATUSES, start__gt=appointment.start
        ).exists()
    )
    if is_last:
        for weeks in _weeks(clinic.outcome_checkin_weeks):
            wanted.append(
                Planned(
                    f"series:{appointment.series_id}:outcome_{weeks}w",
                    Kind.OUTCOME,
                    _local_day_at(appointment.start, weeks * 7, at),
                    series_id=appointment.series_id,
                    data={"weeks": weeks},
                )
            )
    messages_plan(patient=appointment.patient, wanted=wanted, now=now)


def _weeks(setting: str) -> list[int]:
    return sorted({int(part) for part in setting.replace(";", ",").split(",") if part.strip().isdigit()})


# --- asked by the outbox at send time -----------------------------------------------------------


def message_facts(
    messages: list[Message], *, now: dt.datetime, clinic: ClinicSettings | None = None
) -> dict[int, SendFacts | str]:
    """For a batch of messages: the facts each one's text needs, or why it is no longer wanted.
    A fixed number of queries per batch (the sweep passes the clinic it already read)."""
    appointment_ids = {m.appointment_id for m in messages if m.appointment_id}
    appointment_ids.update(pk for m in messages if m.kind in NOTICE_KINDS for pk in notice_appointment_ids(m))
    series_ids = {m.series_id for m in messages if m.series_id and m.kind in (Kind.CONFIRMATION, Kind.OUTCOME)}
    # Looked up by each message's appointment_id and series_id, which may be None.
    appointments: dict[int | None, Appointment] = {
        a.pk: a
        for a in Appointment.objects.filter(pk__in=appointment_ids).select_related(
            "location", "series", "record", "practitioner"
        )
    }
    series: dict[int | None, TreatmentSeries] = {
        s.pk: s
        for s in TreatmentSeries.objects.filter(pk__in=series_ids)
        .select_related("location", "practitioner")
        .prefetch_related(
            Prefetch(
                "appointments",
                queryset=Appointment.objects.filter(status=Appointment.Status.BOOKED)
                .select_related("location")
                .order_by("start"),
                to_attr="booked",
            )
        )
    }
    if clinic is None and (series_ids or any(m.kind in (Kind.CONFIRMATION, *NOTICE_KINDS) for m in messages)):
        clinic = ClinicSettings.load()
    offer_ids = {m.data.get("offer") for m in messages if m.kind == Kind.OFFER}
    offers = (
        {o.pk: o for o in WaitlistOffer.objects.filter(pk__in=offer_ids).select_related("freed__location")}
        if offer_ids
        else {}
    )
    answers: dict[int, SendFacts | str] = {}
    for message in messages:
        if message.kind == Kind.OFFER:
            answers[message.pk] = _offer_facts(offers.get(message.data.get("offer")), now)
        elif message.kind in NOTICE_KINDS:
            assert clinic is not None  # loaded above whenever a notice is in the batch
            answers[message.pk] = _notice_facts(message, appointments, clinic, now)
        elif message.kind == Kind.CONFIRMATION and not message.series_id:
            answers[message.pk] = _appointment_facts(appointments.get(message.appointment_id), clinic, now)
        elif message.kind in (Kind.CONFIRMATION, Kind.OUTCOME):
            answers[message.pk] = _series_facts(message, series.get(message.series_id), clinic, now)
        else:
            answers[message.pk] = _session_facts(message, appointments.get(message.appointment_id), now)
    return answers


def _notice_facts(
    message: Message, appointments: dict[int | None, Appointment], clinic: ClinicSettings, now: dt.datetime
) -> SendFacts | str:
    """A change notice's facts, with the changed events as a calendar file (notices.notice_events)."""
    facts = notice_facts(message, appointments, now)
    if isinstance(facts, str):
        return facts
    events = sessions_file(appointments=notice_events(message, appointments, now), clinic=clinic, now=now)
    return replace(facts, attachments=(("appointment.ics", events, "text/calendar"),))


def _offer_facts(offer: WaitlistOffer | None, now: dt.datetime) -> SendFacts | str:
    # Checked again at send time: an offer claimed or expired meanwhile must not invite anyone.
    if offer is None:
        return _("The offer no longer exists.")
    if offer.status != WaitlistOffer.Status.OPEN:
        return _("The offered time was already taken.")
    if offer.expires_at <= now:
        return _("The offer has expired.")
    return SendFacts(start=offer.freed.start, location=offer.freed.location.name, address=offer.freed.location.address)


def _session_facts(message: Message, appointment: Appointment | None, now: dt.datetime) -> SendFacts | str:
    if appointment is None:
        return _("The appointment no longer exists.")
    if message.kind in BEFORE_SESSION:
        if appointment.status != Appointment.Status.BOOKED:
            return _("The session is no longer booked.")
        if appointment.start <= now:
            return _("The session has already started; a reminder is too late.")
    else:
        try:
            signed = appointment.record.status == SessionRecord.Status.SIGNED
        except SessionRecord.DoesNotExist:
            signed = False
        if not signed:
            return _("The session record is not signed.")
    return SendFacts(
        start=appointment.start,
        location=appointment.location.name,
        address=appointment.location.address,
        session_number=appointment.series_step,
        session_count=appointment.series.planned_sessions if appointment.series else None,
    )


def _appointment_facts(appointment: Appointment | None, clinic: ClinicSettings | None, now: dt.datetime):
    """One booked appointment's confirmation, its .ics attached (the online booking's)."""
    if appointment is None:
        return _("The appointment no longer exists.")
    assert clinic is not None  # message_facts loads it whenever a confirmation is in the batch
    if appointment.status != Appointment.Status.BOOKED or appointment.start <= now:
        return _("The appointment is no longer upcoming.")
    return SendFacts(
        start=appointment.start,
        location=appointment.location.name,
        address=appointment.location.address,
        dates=(appointment.start,),
        practitioner=appointment.practitioner.display_name,
        attachments=(
            ("appointment.ics", sessions_file(appointments=[appointment], clinic=clinic, now=now), "text/calendar"),
        ),
    )


def _series_facts(message: Message, series: TreatmentSeries | None, clinic: ClinicSettings | None, now: dt.datetime):
    if series is None:
        return _("The series no longer exists.")
    assert clinic is not None  # message_facts loads it whenever it read a series
    if message.kind == Kind.OUTCOME:
        return SendFacts()
    if series.status != TreatmentSeries.Status.ACTIVE:
        return _("The series is no longer active.")
    # booked: set by message_facts' Prefetch(to_attr="booked"), which the model's type cannot know.
    upcoming = [a for a in series.booked if a.start > now]  # type: ignore[attr-defined]
    if not upcoming:
        return _("The series has no upcoming sessions.")
    ics = sessions_file(appointments=upcoming, clinic=clinic, now=now)
    return SendFacts(
        start=upcoming[0].start,
        location=series.location.name,
        address=series.location.address,
        session_count=series.planned_sessions,
        dates=tuple(a.start for a in upcoming),
        practitioner=series.practitioner.display_name,
        attachments=(("sessions.ics", ics, "text/calendar"),),
    )
