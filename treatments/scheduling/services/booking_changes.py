"""Moving and cancelling appointments (one, or a session dragging the later ones of its series).
Part of the booking write path: import these from treatments.scheduling.services.booking."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from clinic.models import clinic_zone
from treatments.models import Appointment, AppointmentChange, TreatmentSeries
from treatments.scheduling import messaging
from treatments.scheduling.availability import local_date
from treatments.scheduling.planning import Window, neighbour_window, place, plan_series, step_window
from treatments.scheduling.selectors.availability import availability_for, date_span
from treatments.scheduling.services.booking_rules import (
    BookingError,
    _booking_transaction,
    _cancel_one,
    _check_one,
    _history,
    _sentence,
    _type_times,
)


def _live_siblings(appointment: Appointment) -> list[Appointment]:
    return list(
        Appointment.objects.select_for_update(of=("self",))
        .filter(series_id=appointment.series_id, status__in=Appointment.LIVE_STATUSES)
        .exclude(pk=appointment.pk)
        .order_by("series_step")
    )


def _require_movable(appointment: Appointment, now: dt.datetime) -> None:
    if appointment.status != Appointment.Status.BOOKED:
        raise BookingError(
            _("Only a booked appointment can be changed; this one is %(status)s.")
            % {"status": appointment.get_status_display().lower()}
        )
    if appointment.series_id and appointment.series.status == TreatmentSeries.Status.DISCONTINUED:
        raise BookingError(_("This series was discontinued."))


def _move_rows(moves: list[tuple[Appointment, dt.datetime]], *, by, now: dt.datetime, reason: str) -> list[Appointment]:
    # Update in the direction of travel so no row passes over a sibling not yet moved (the
    # exclusion constraints check every row as it is written).
    later = moves and moves[0][1] > moves[0][0].start
    ordered = sorted(moves, key=lambda m: m[0].start, reverse=bool(later))
    moved = []
    for appointment, start in ordered:
        old = appointment.start
        if old == start:
            continue
        appointment.start = start
        appointment.end = start + (appointment.end - old)
        appointment.save(update_fields=["start", "end", "updated_at"])
        _history(
            kind=AppointmentChange.Kind.MOVED,
            by=by,
            now=now,
            appointment=appointment,
            old=old,
            new=start,
            reason=reason,
        )
        messaging.appointment_changed(appointment=appointment, now=now)
        moved.append(appointment)
    return sorted(moved, key=lambda a: a.start)


def move_window(appointment: Appointment, *, siblings: list[Appointment] | None = None, shift_later: bool = False):
    """The local dates a series session may move to (planning.neighbour_window), or None for a
    standalone appointment. With `shift_later` only the previous session constrains it."""
    if appointment.series_id is None:
        return None
    protocol = appointment.series.protocol
    if siblings is None:
        siblings = [
            a
            for a in appointment.series.appointments.filter(status__in=Appointment.LIVE_STATUSES).order_by(
                "series_step"
            )
            if a.pk != appointment.pk
        ]
    step = appointment.series_step
    before = [a for a in siblings if a.series_step < step]
    after = [a for a in siblings if a.series_step > step]
    previous = before[-1] if before else None
    nxt = after[0] if after and not shift_later else None
    return neighbour_window(
        previous=previous.start if previous else None,
        next_=nxt.start if nxt else None,
        interval_before=protocol.interval_after(previous.series_step) if previous else None,
        interval_after=protocol.interval_after(step),
        before_days=protocol.window_before_days,
        after_days=protocol.window_after_days,
        zone=clinic_zone(),
    )


def not_before(window: Window | None, today: dt.date) -> Window | None:
    """The part of a window from today on (a move into the past is refused anyway), or None."""
    if window is None or window.earliest >= today:
        return window
    if window.latest < today:
        return None
    target = window.target if window.target and window.target >= today else None
    return Window(target, today, window.latest)


def _window_text(window) -> str:
    if window.has_earliest and window.has_latest:
        return _("between %(span)s") % {"span": date_span(window.earliest, window.latest)}
    if window.has_latest:
        return _("on or before %(day)s") % {"day": date_span(window.latest, window.latest)}
    return _("on or after %(day)s") % {"day": date_span(window.earliest, window.earliest)}


def appointment_move(
    *, appointment: Appointment, start: dt.datetime, by, now: dt.datetime, reason: str = "", shift_later: bool = False
) -> list[Appointment]:
    """Move one appointment; with `shift_later`, re-plan the later sessions of its series from the
    new time so the spacing holds. Returns every appointment that moved."""
    if start.tzinfo is None:
        raise BookingError(_("The time has no time zone."))
    with _booking_transaction():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related(
                "series__protocol__appointment_type", "appointment_type", "practitioner", "location", "patient", "room"
            )
            .get(pk=appointment.pk)
        )
        _require_movable(appointment, now)
        if start <= now:
            raise BookingError(_("That time is in the past."))
        if appointment.series_id is None:
            _check_one(
                patient=appointment.patient,
                practitioner=appointment.practitioner,
                location=appointment.location,
                appointment_type=appointment.appointment_type,
                start=start,
                now=now,
                room=appointment.room,
                exclude_ids=(appointment.pk,),
            )
            return _move_rows([(appointment, start)], by=by, now=now, reason=reason)
        siblings = _live_siblings(appointment)
        zone = clinic_zone()
        window = not_before(move_window(appointment, siblings=siblings, shift_later=shift_later), local_date(now, zone))
        if window is None or not window.contains(local_date(start, zone)):
            if window is None:
                raise BookingError(_("Its neighbours leave no date for this session; move them first."))
            raise BookingError(
                _("Session %(step)d must fall %(span)s to keep the spacing.")
                % {"step": appointment.series_step, "span": _window_text(window)}
            )
        later = [
            a for a in siblings if a.series_step > appointment.series_step and a.status == Appointment.Status.BOOKED
        ]
        if not shift_later:
            later = []
        moves = _plan_moves(appointment, start, later, now=now)
        return _move_rows(moves, by=by, now=now, reason=reason)


def _plan_moves(
    appointment: Appointment, start: dt.datetime, later: list[Appointment], *, now: dt.datetime
) -> list[tuple[Appointment, dt.datetime]]:
    """Where the moved session and the later ones it drags go; BookingError naming the session and
    the reason when one does not fit."""
    series = appointment.series
    protocol = series.protocol
    duration, buffer = _type_times(appointment.appointment_type)
    zone = clinic_zone()
    steps = [appointment, *later]
    horizon = local_date(start, zone) + dt.timedelta(
        days=sum(protocol.interval_after(a.series_step) for a in steps) + protocol.window_after_days * len(steps) + 1
    )
    availability = availability_for(
        practitioner=series.practitioner,
        location=series.location,
        patient=series.patient,
        room=appointment.room,
        first=local_date(start, zone),
        last=horizon,
        exclude_ids=[a.pk for a in steps],
    )
    problem = availability.problem(start, start + duration, buffer=buffer)
    if problem:
        raise BookingError(_sentence(problem))
    if not later:
        return [(appointment, start)]
    proposals = plan_series(
        first=start,
        intervals=[protocol.interval_after(a.series_step) for a in steps[:-1]],
        count=len(steps),
        before_days=protocol.window_before_days,
        after_days=protocol.window_after_days,
        duration=duration,
        buffer=buffer,
        availability=availability,
        first_step=appointment.series_step,
    )
    problems = [p.problem for p in proposals[1:] if p.problem]
    if problems:
        raise BookingError(" ".join(_sentence(p) for p in problems))
    return [(a, p.start) for a, p in zip(steps, proposals, strict=True)]


def appointment_cancel(
    *, appointment: Appointment, kind: str, reason: str, by, now: dt.datetime, replan_rest: bool = False
) -> Appointment:
    """Cancel one appointment (`by` is None when the patient cancels through the portal). With
    `replan_rest`, the later sessions of its series are re-planned from the last live session
    before it, so the spacing the protocol wants holds without the cancelled one."""
    if kind not in Appointment.CancelKind.values:
        raise BookingError(_("Say who cancelled."))
    with _booking_transaction():
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
        _cancel_one(appointment=appointment, kind=kind, reason=reason, by=by, now=now)
        if replan_rest and appointment.series_id:
            _replan_after_cancel(appointment, by=by, now=now)
    return appointment


def _replan_after_cancel(cancelled: Appointment, *, by, now: dt.datetime) -> None:
    siblings = _live_siblings(cancelled)
    before = [a for a in siblings if a.series_step < cancelled.series_step]
    later = [a for a in siblings if a.series_step > cancelled.series_step and a.status == Appointment.Status.BOOKED]
    if not before or not later:
        return
    anchor = before[-1]
    protocol = cancelled.series.protocol
    zone = clinic_zone()
    # The first later session takes the cancelled one's place in the rhythm: inside the window the
    # last live session sets, but after the cancelled day (that day did not suit) and not before
    # tomorrow, at its own weekday and local time.
    window = step_window(
        anchor.start,
        protocol.interval_after(anchor.series_step),
        protocol.window_before_days,
        protocol.window_after_days,
        zone,
    )
    opens = max(local_date(now, zone), local_date(cancelled.start, zone)) + dt.timedelta(days=1)
    if window.latest < opens:
        return
    if window.earliest < opens:
        target = window.target if window.target and window.target >= opens else opens
        window = Window(target, opens, window.latest)
    duration, buffer = _type_times(later[0].appointment_type)
    local_start = later[0].start.astimezone(zone)
    availability = availability_for(
        practitioner=later[0].practitioner,
        location=later[0].location,
        patient=later[0].patient,
        room=later[0].room,
        first=window.earliest,
        last=window.latest,
        exclude_ids=[a.pk for a in later],
    )
    first = place(
        step=later[0].series_step,
        window=window,
        preferred=local_start.time(),
        weekday=local_start.weekday(),
        duration=duration,
        buffer=buffer,
        availability=availability,
    )
    if first.start is None:
        raise BookingError(_sentence(first.problem))
    first_start = first.start
    moves = _plan_moves(later[0], first_start, later[1:], now=now)
    _move_rows(
        moves,
        by=by,
        now=now,
        reason=_("Re-planned after session %(step)d was cancelled") % {"step": cancelled.series_step},
    )
    _history(
        kind=AppointmentChange.Kind.REPLANNED, by=by, now=now, series=cancelled.series, reason=cancelled.cancel_reason
    )
