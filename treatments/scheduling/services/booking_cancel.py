"""Cancelling appointments: one, or one with the later sessions of its series re-planned from the
last live session before it (with the moves' planner and writer, services/move_planner.py and move_writer.py).
Part of the booking write path: import these from treatments.scheduling.services.booking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from clinic.localtime import clinic_zone, local_date, to_local
from treatments import hooks
from treatments.models import Appointment, AppointmentChange
from treatments.scheduling import messaging, notices
from treatments.scheduling.planning import place
from treatments.scheduling.rules import (
    as_sentence,
    date_span,
    replan_window,
    series_protocol,
    session_step,
    short_day,
    type_times,
    window_after,
)
from treatments.scheduling.selectors.availability import availability_around
from treatments.scheduling.services.booking_changes import live_siblings
from treatments.scheduling.services.kernel.history import Actor, history_entry
from treatments.scheduling.services.kernel.slots import BookingError, booking_transaction
from treatments.scheduling.services.move_planner import plan_moves
from treatments.scheduling.services.move_writer import move_rows
from treatments.scheduling.services.waitlist_offers import waitlist_offers_make


def cancel_booked(*, appointment: Appointment, kind: str, reason: str, by: Actor, now: dt.datetime) -> None:
    """Cancel a booked appointment inside the caller's transaction: status, history, messages."""
    appointment.status = Appointment.Status.CANCELLED
    appointment.cancel_kind = kind
    appointment.cancel_reason = reason[:250]
    appointment.cancelled_at = now
    appointment.save(update_fields=["status", "cancel_kind", "cancel_reason", "cancelled_at", "updated_at"])
    history_entry(
        kind=AppointmentChange.Kind.CANCELLED,
        by=by,
        now=now,
        appointment=appointment,
        old=appointment.start,
        reason=reason,
    )
    messaging.appointment_changed(appointment=appointment, now=now)


@dataclass
class Cancellation:
    appointment: Appointment
    # With "re-plan the rest": the later sessions that moved, or why none could (a clause).
    replanned: list[Appointment] = field(default_factory=list)
    not_replanned: str = ""


def appointment_cancel(
    *, appointment: Appointment, kind: str, reason: str, by: Actor, now: dt.datetime, replan_rest: bool = False
) -> Cancellation:
    """Cancel one appointment (`by` is None when the patient cancels through the portal). With
    `replan_rest`, the later sessions of its series are re-planned from the last live session
    before it, so the spacing the protocol wants holds without the cancelled one. When there is
    nothing to re-plan from or into, it is still cancelled and `not_replanned` says why; when the
    re-planned sessions do not fit, BookingError and nothing is cancelled (the desk may untick
    re-planning and cancel only this one)."""
    if kind not in Appointment.CancelKind.values:
        raise BookingError(_("Say who cancelled."))
    with booking_transaction():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related(
                "series__protocol", "appointment_type", "series__practitioner", "series__location", "series__patient"
            )
            .get(pk=appointment.pk)
        )
        if appointment.status != Appointment.Status.BOOKED:
            raise BookingError(
                _("Only a booked appointment can be cancelled; this one is %(status)s.")
                % {"status": appointment.get_status_display().lower()}
            )
        cancel_booked(appointment=appointment, kind=kind, reason=reason, by=by, now=now)
        notices.appointments_cancelled(appointments=[appointment], now=now)
        outcome = "late_cancelled" if kind == Appointment.CancelKind.LATE else "cancelled"  # treatments.hooks' words
        hooks.send_on_commit(
            hooks.appointment_outcome, sender=Appointment, appointment_id=appointment.pk, status=outcome, by=by, now=now
        )
        result = Cancellation(appointment)
        if replan_rest and appointment.series_id:
            result.replanned, result.not_replanned = _replan_after_cancel(appointment, by=by, now=now)
        # The freed time goes to the waitlist at once; offers are only messages, so a late
        # cancellation with no one fitting costs nothing.
        waitlist_offers_make(freed=appointment, now=now)
    return result


def _replan_after_cancel(cancelled: Appointment, *, by: Actor, now: dt.datetime) -> tuple[list[Appointment], str]:
    """The later booked sessions re-planned from the last live session before the cancelled one:
    (moved, "") or ([], why nothing could be re-planned)."""
    siblings = live_siblings(cancelled)
    step = session_step(cancelled)
    before = [a for a in siblings if (a.series_step or 0) < step]
    later = [a for a in siblings if (a.series_step or 0) > step and a.status == Appointment.Status.BOOKED]
    if not later:
        return [], _("no later session is booked")
    if not before:
        return [], _("no session before session %(step)d is left to plan from, so the later ones keep their dates") % {
            "step": step
        }
    anchor = before[-1]
    protocol = series_protocol(cancelled)
    zone = clinic_zone()
    today, cancelled_day = local_date(now, zone), local_date(cancelled.start, zone)
    window = replan_window(previous=anchor, cancelled_day=cancelled_day, today=today, rhythm=protocol, zone=zone)
    if window is None:
        # Say which window and which day closed it, so the desk can choose a date by hand.
        closed = window_after(anchor, protocol, zone)
        return [], _(
            "the window session %(anchor)d sets for the next one (%(span)s) has no day left after %(day)s, "
            "so session %(next)d keeps %(kept)s"
        ) % {
            "anchor": anchor.series_step,
            "span": date_span(closed.earliest, closed.latest),
            "day": short_day(max(today, cancelled_day)),
            "next": later[0].series_step,
            "kept": short_day(local_date(later[0].start, zone)),
        }
    duration, buffer = type_times(later[0].appointment_type)
    local_start = to_local(later[0].start, zone)
    availability = availability_around(
        later[0], first=window.earliest, last=window.latest, exclude_ids=[a.pk for a in later[1:]]
    )
    first = place(
        step=session_step(later[0]),
        window=window,
        preferred=local_start.time(),
        weekday=local_start.weekday(),
        duration=duration,
        buffer=buffer,
        availability=availability,
    )
    if first.start is None:
        raise BookingError(as_sentence(first.problem))
    moves = plan_moves(later[0], first.start, later[1:], duration=duration, buffer=buffer)
    moved = move_rows(
        moves,
        by=by,
        now=now,
        reason=_("Re-planned after session %(step)d was cancelled") % {"step": step},
    )
    history_entry(
        kind=AppointmentChange.Kind.REPLANNED, by=by, now=now, series=cancelled.series, reason=cancelled.cancel_reason
    )
    return moved, ""
