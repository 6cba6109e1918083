"""Change notices: the patient hears when the clinic moves or cancels a session, gets a receipt
when they cancel one, and hears when a cancelled session is booked again. Called by the booking
services inside their transaction, after `messaging.appointment_changed` has re-timed or cancelled
the session's own reminders.

When a notice is worth sending (docs/architecture.md, "Change notices"):
- only when the patient knew the old time (a confirmation, preparation, reminder, move or re-book
  message about it was sent) or the old or the new time is within the reminder horizon; otherwise
  the normal reminder will carry the new time and a notice would only add noise;
- a move keeps ONE notice per change, keyed by the appointment and its new time: a later move
  withdraws the pending one, and a move back to the time the patient already knew withdraws it and
  sends nothing; a series move names the later sessions it shifted in the same notice;
- a session booked again withdraws the series' pending cancellation notices (the patient never heard
  of it); a re-booked notice goes only when a cancellation notice had gone out, or the patient still
  holds a time that is no longer theirs.
SMS quiet hours, the channel and consent are the sweep's, as for every message."""

import datetime as dt

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from clinic.localtime import to_utc, utc_stamp
from clinic.models import ClinicSettings
from notifications.facts import SendFacts
from notifications.models import Message
from notifications.selectors import messages_about, messages_told
from notifications.services import Planned, messages_cancel, messages_plan
from treatments.models import Appointment
from treatments.scheduling.rules import worth_telling

Kind = Message.Kind
CANCEL_KINDS = (Kind.CANCELLED, Kind.CANCEL_RECEIPT)
NOTICE_KINDS = (Kind.MOVED, *CANCEL_KINDS, Kind.REBOOKED)
# Messages that told the patient a session's time.
TOLD_KINDS = (Kind.CONFIRMATION, Kind.PREPARE, Kind.REMINDER, Kind.MOVED, Kind.REBOOKED)


def _notice_plan(appointment: Appointment, kind: str, data: dict, now: dt.datetime) -> None:
    """Store one notice, due now, keyed by the appointment and the kind (a move's notice is keyed
    by its new time too: appointments_moved)."""
    plan = Planned(
        f"appt:{appointment.pk}:{kind}",
        kind,
        now,
        appointment_id=appointment.pk,
        series_id=appointment.series_id,
        data=data,
    )
    messages_plan(patient=appointment.patient, wanted=[plan], now=now)


# --- moved ---------------------------------------------------------------------------------------


def appointments_moved(
    *, moves: list[tuple[Appointment, dt.datetime]], now: dt.datetime, by_patient: bool = False
) -> None:
    """`moves`: each moved appointment with its start before this move, the one the desk (or the
    patient) moved first; the others are the later sessions of its series it shifted.
    `by_patient`: the patient chose the new time (the notice then confirms it, as asked)."""
    if not moves:
        return
    ids = [appointment.pk for appointment, _old in moves]
    # A notice still pending never reached the patient: the time they hold is the one it replaced.
    known = {appointment.pk: old for appointment, old in moves}
    for pending in messages_about(appointment_ids=ids, kinds=[Kind.MOVED], pending=True):
        for pk, stamp in pending.data.get("from", {}).items():
            if int(pk) in known:
                when = parse_datetime(stamp)
                assert when is not None  # written by utc_stamp below: always a whole date and time
                known[int(pk)] = when
    changed = [(a, known[a.pk]) for a, _old in moves if a.start != known[a.pk]]
    appointments = [a for a, _old in changed]
    # Read before writing: whether the patient needs telling at all (the clinic, then what was sent).
    moments = [old for _a, old in changed] + [a.start for a in appointments]
    ids_told, series_told = [a.pk for a in appointments], {a.series_id for a in appointments if a.series_id}
    tell = bool(changed) and worth_telling(
        moments,
        ClinicSettings.load(),
        now,
        told=lambda: messages_told(appointment_ids=ids_told, series_ids=series_told, kinds=TOLD_KINDS),
    )
    if not changed:
        messages_cancel(
            appointment_ids=ids,
            kinds=[Kind.MOVED],
            reason=_("Moved back to the time the patient already knew before the notice went out."),
        )
        return
    messages_cancel(
        appointment_ids=ids, kinds=[Kind.MOVED], reason=_("The session moved again; the newer notice has its time.")
    )
    if not tell:
        return
    first = appointments[0]
    data: dict[str, object] = {
        "to": utc_stamp(first.start),
        "from": {str(a.pk): utc_stamp(old) for a, old in changed},
        "later": [a.pk for a in appointments[1:]],
    }
    if by_patient:
        data["by_patient"] = True
    # Moved into the reminder horizon, the reminder would go at once beside the notice and say the
    # same: the notice, which also asks for a C reply, stands for it. (A later move revives it.)
    messages_cancel(
        appointment_ids=[a.pk for a in appointments],
        kinds=[Kind.REMINDER],
        due_by=now,
        reason=_("The move notice, sent at once, names the new time."),
    )
    # One notice per change, keyed by the appointment and its new time (a move back withdraws it).
    notice = Planned(
        f"appt:{first.pk}:{Kind.MOVED}:{to_utc(first.start):%Y%m%dT%H%MZ}",
        Kind.MOVED,
        now,
        appointment_id=first.pk,
        series_id=first.series_id,
        data=data,
    )
    messages_plan(patient=first.patient, wanted=[notice], now=now)


# --- cancelled -----------------------------------------------------------------------------------


def appointments_cancelled(*, appointments: list[Appointment], now: dt.datetime) -> None:
    """Sessions just cancelled together (one, or a discontinued series' future ones): one notice
    naming them all, a receipt when the patient cancelled."""
    ahead = sorted((a for a in appointments if a.start > now), key=lambda a: a.start)
    if not ahead:
        return
    ids_told, series_told = [a.pk for a in ahead], {a.series_id for a in ahead if a.series_id}
    told = lambda: messages_told(appointment_ids=ids_told, series_ids=series_told, kinds=TOLD_KINDS)  # noqa: E731
    if not worth_telling([a.start for a in ahead], ClinicSettings.load(), now, told):
        return
    first = ahead[0]
    known = _time_known(first)
    # A late cancellation is the patient's too (the desk records it on their behalf).
    kind = Kind.CANCELLED if first.cancel_kind == Appointment.CancelKind.CLINIC else Kind.CANCEL_RECEIPT
    _notice_plan(first, kind, {"at": utc_stamp(known), "also": [a.pk for a in ahead[1:]]}, now)


def _time_known(appointment: Appointment) -> dt.datetime:
    """The time the patient holds for a session: a move notice that never went (withdrawn by this
    cancellation) leaves them with the time it would have replaced."""
    notices = messages_about(appointment_ids=[appointment.pk], kinds=[Kind.MOVED])
    last = notices[-1] if notices else None
    if last is None or last.status == Message.Status.SENT:
        return appointment.start
    return parse_datetime(last.data.get("from", {}).get(str(appointment.pk), "")) or appointment.start


# --- booked again --------------------------------------------------------------------------------


def session_rebooked(*, appointment: Appointment, now: dt.datetime) -> None:
    """A session was added to a series that has cancelled ones: the pending cancellation notices
    are withdrawn; a re-booked notice goes when the patient heard of a cancellation that no
    re-booked notice answered yet, or still holds a withdrawn session's different time."""
    if not appointment.series_id:
        return
    notices = messages_about(series_ids=[appointment.series_id], kinds=[*CANCEL_KINDS, Kind.REBOOKED])
    answered = {pk for m in notices if m.kind == Kind.REBOOKED for pk in m.data.get("answers", [])}
    sent = [m for m in notices if m.kind in CANCEL_KINDS and m.status == Message.Status.SENT and m.pk not in answered]
    withdrawn = [m for m in notices if m.kind in CANCEL_KINDS and m.status == Message.Status.PENDING]
    if withdrawn:
        messages_cancel(
            series_id=appointment.series_id,
            kinds=list(CANCEL_KINDS),
            reason=_("The session was booked again before the notice went out."),
        )
    # The patient still holds the withdrawn session's time; only a different time needs telling.
    stale = [m for m in withdrawn if m.data.get("at") != utc_stamp(appointment.start)]
    if not sent and not stale:
        return
    _notice_plan(appointment, Kind.REBOOKED, {"answers": [m.pk for m in sent]}, now)


# --- asked by the outbox at send time ------------------------------------------------------------


def notice_appointment_ids(message: Message) -> list[int]:
    """The other appointments a notice names (loaded with the batch)."""
    return [int(pk) for pk in message.data.get("later", []) + message.data.get("also", [])]


def notice_facts(message: Message, appointments: dict[int | None, Appointment], now: dt.datetime) -> SendFacts | str:
    """A notice whose facts no longer hold is dropped with the reason: the session moved again,
    was cancelled after a move, was booked again, or its time has passed."""
    appointment = appointments.get(message.appointment_id)
    if appointment is None:
        return _("The appointment no longer exists.")
    if appointment.start <= now:
        return _("The session time has passed; the notice is too late.")
    others = [appointments[pk] for pk in notice_appointment_ids(message) if pk in appointments]
    if message.kind in CANCEL_KINDS:
        if appointment.status != Appointment.Status.CANCELLED:
            return _("The session is no longer cancelled.")
        dates = [a.start for a in others if a.status == Appointment.Status.CANCELLED]
        known = parse_datetime(message.data.get("at", "")) or appointment.start
        return SendFacts(
            start=known, location=appointment.location.name, dates=tuple(dates), session_number=appointment.series_step
        )
    if appointment.status != Appointment.Status.BOOKED:
        return _("The session is no longer booked.")
    if message.kind == Kind.MOVED and message.data.get("to") != utc_stamp(appointment.start):
        return _("The session moved again; the newer notice has its time.")
    previous = message.data.get("from", {}).get(str(appointment.pk))
    later = [a.start for a in others if a.status == Appointment.Status.BOOKED and a.start > now]
    return SendFacts(
        start=appointment.start,
        location=appointment.location.name,
        address=appointment.location.address,
        dates=tuple(sorted(later)),
        previous=parse_datetime(previous) if previous else None,
        # A series' session is told as one; a single visit as an appointment (notifications/defaults.py).
        session_number=appointment.series_step,
    )


def notice_events(message: Message, appointments: dict[int | None, Appointment], now: dt.datetime) -> list[Appointment]:
    """The appointments a notice tells of, in time order: the one it is about and the others the
    same change moved (or cancelled) with it. A notice e-mail carries them as a calendar file
    (messaging.py): the same UIDs with a higher SEQUENCE, so a calendar that took the
    confirmation's file moves or cancels its events instead of keeping the old time."""
    appointment = appointments.get(message.appointment_id)
    if appointment is None:
        return []
    status = Appointment.Status.CANCELLED if message.kind in CANCEL_KINDS else Appointment.Status.BOOKED
    others = [appointments[pk] for pk in notice_appointment_ids(message) if pk in appointments]
    told = [a for a in others if a.status == status and a.start > now]
    return sorted([appointment, *told], key=lambda a: a.start)
