"""Booking writes: a whole series, a standalone appointment, moving, cancelling, adding a session,
discontinuing. The one write path for each (views, the portal and tasks call these).

Every function owns its transaction, validates, records AppointmentChange history and calls the
messaging hooks inside the transaction. No double booking, ever: on PostgreSQL the exclusion
constraints (migration 0002) turn a lost race into IntegrityError -> SlotTaken with nothing saved;
on SQLite `transaction_mode=IMMEDIATE` serialises writers, so the overlap check made inside the
transaction is authoritative. The type's buffer is only checked here (the constraint covers the
appointment itself).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from clinic.models import AppointmentType, Location, Practitioner, Room, clinic_zone
from patients.models import Patient
from treatments import messaging
from treatments.availability import local_date
from treatments.models import Appointment, AppointmentChange, Protocol, Side, TreatmentSeries
from treatments.planning import check_proposals, neighbour_window, plan_series
from treatments.selectors_availability import availability_for, date_span


class BookingError(Exception):
    """A booking that cannot be made; `message` is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SlotTaken(BookingError):
    def __init__(self, message: str | None = None):
        super().__init__(message or _("That time was just taken. Pick another."))


@contextmanager
def _booking_transaction() -> Iterator[None]:
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        # The exclusion constraints (and the one-live-session-per-step rule) lose a race here.
        raise SlotTaken() from exc


def _sentence(clause: str) -> str:
    clause = capfirst(clause.strip())
    return clause if clause.endswith((".", "!", "?")) else clause + "."


def _type_times(appointment_type: AppointmentType) -> tuple[dt.timedelta, dt.timedelta]:
    return dt.timedelta(minutes=appointment_type.duration_minutes), dt.timedelta(
        minutes=appointment_type.buffer_minutes
    )


def _check_one(
    *,
    patient: Patient,
    practitioner: Practitioner,
    location: Location,
    appointment_type: AppointmentType,
    start: dt.datetime,
    now: dt.datetime,
    room: Room | None,
    exclude_ids: tuple[int, ...] = (),
) -> None:
    if start.tzinfo is None:
        raise BookingError(_("The time has no time zone."))
    if start <= now:
        raise BookingError(_("That time is in the past."))
    if room is not None and room.location_id != location.pk:
        raise BookingError(_("That room is at another location."))
    duration, buffer = _type_times(appointment_type)
    day = local_date(start, clinic_zone())
    availability = availability_for(
        practitioner=practitioner,
        location=location,
        patient=patient,
        room=room,
        first=day,
        last=day,
        exclude_ids=exclude_ids,
    )
    problem = availability.problem(start, start + duration, buffer=buffer)
    if problem:
        raise BookingError(_sentence(problem))


def _history(*, kind: str, by, now: dt.datetime, appointment=None, series=None, old=None, new=None, reason=""):
    return AppointmentChange.objects.create(
        kind=kind,
        by=by,
        at=now,
        appointment=appointment,
        series=series if series is not None else getattr(appointment, "series", None),
        old_start=old,
        new_start=new,
        reason=reason[:250],
    )


def _intervals(protocol: Protocol, first_step: int, count: int) -> list[int]:
    return [protocol.interval_after(step) for step in range(first_step, first_step + count)]


def series_book(
    *,
    patient: Patient,
    protocol: Protocol,
    practitioner: Practitioner,
    location: Location,
    side: str,
    starts: list[dt.datetime],
    by,
    now: dt.datetime,
    room: Room | None = None,
) -> TreatmentSeries:
    """Book a whole series at once: every session is saved, or none."""
    if not starts:
        raise BookingError(_("Pick at least the first session."))
    if side not in Side.values:
        raise BookingError(_("Pick a side."))
    if not (protocol.active and practitioner.active and location.active):
        raise BookingError(_("That protocol, practitioner or location is no longer in use."))
    limit = protocol.required_sessions + protocol.optional_sessions
    if not protocol.as_needed and len(starts) > limit:
        raise BookingError(_("This protocol has at most %(n)d sessions.") % {"n": limit})
    if any(s.tzinfo is None for s in starts):
        raise BookingError(_("The time has no time zone."))
    if room is not None and room.location_id != location.pk:
        raise BookingError(_("That room is at another location."))
    zone = clinic_zone()
    duration, buffer = _type_times(protocol.appointment_type)
    with _booking_transaction():
        availability = availability_for(
            practitioner=practitioner,
            location=location,
            patient=patient,
            room=room,
            first=local_date(min(starts), zone),
            last=local_date(max(starts), zone),
        )
        checked = check_proposals(
            starts=starts,
            intervals=_intervals(protocol, 1, len(starts)),
            before_days=protocol.window_before_days,
            after_days=protocol.window_after_days,
            duration=duration,
            buffer=buffer,
            availability=availability,
            now=now,
        )
        problems = [p.problem for p in checked if p.problem]
        if problems:
            raise BookingError(" ".join(_sentence(p) for p in problems))
        series = TreatmentSeries.objects.create(
            patient=patient,
            protocol=protocol,
            practitioner=practitioner,
            location=location,
            side=side,
            planned_sessions=max(protocol.required_sessions, len(starts)),
            created_by=by,
            created_at=now,
        )
        for step, start in enumerate(starts, start=1):
            appointment = Appointment.objects.create(
                patient=patient,
                practitioner=practitioner,
                location=location,
                room=room,
                appointment_type=protocol.appointment_type,
                series=series,
                series_step=step,
                is_optional=step > protocol.required_sessions,
                start=start,
                end=start + duration,
                created_by=by,
                created_at=now,
            )
            _history(kind=AppointmentChange.Kind.BOOKED, by=by, now=now, appointment=appointment, new=start)
        messaging.series_booked(series=series, now=now)
    return series


def appointment_book(
    *,
    patient: Patient,
    practitioner: Practitioner,
    location: Location,
    appointment_type: AppointmentType,
    start: dt.datetime,
    by,
    now: dt.datetime,
    room: Room | None = None,
) -> Appointment:
    """A standalone appointment (consultation, follow-up)."""
    if not (appointment_type.active and practitioner.active and location.active):
        raise BookingError(_("That type, practitioner or location is no longer in use."))
    duration, _buffer = _type_times(appointment_type)
    with _booking_transaction():
        _check_one(
            patient=patient,
            practitioner=practitioner,
            location=location,
            appointment_type=appointment_type,
            start=start,
            now=now,
            room=room,
        )
        appointment = Appointment.objects.create(
            patient=patient,
            practitioner=practitioner,
            location=location,
            room=room,
            appointment_type=appointment_type,
            start=start,
            end=start + duration,
            created_by=by,
            created_at=now,
        )
        _history(kind=AppointmentChange.Kind.BOOKED, by=by, now=now, appointment=appointment, new=start)
        messaging.appointment_changed(appointment=appointment, now=now)
    return appointment


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
        window = move_window(appointment, siblings=siblings, shift_later=shift_later)
        zone = clinic_zone()
        if window is None or not window.contains(local_date(start, zone)):
            if window is None:
                raise BookingError(_("Its neighbours leave no date for this session; move them first."))
            raise BookingError(
                _("Session %(step)d must fall between %(span)s to keep the spacing.")
                % {"step": appointment.series_step, "span": date_span(window.earliest, window.latest)}
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
        appointment.status = Appointment.Status.CANCELLED
        appointment.cancel_kind = kind
        appointment.cancel_reason = reason[:250]
        appointment.cancelled_at = now
        appointment.save(update_fields=["status", "cancel_kind", "cancel_reason", "cancelled_at", "updated_at"])
        _history(
            kind=AppointmentChange.Kind.CANCELLED,
            by=by,
            now=now,
            appointment=appointment,
            old=appointment.start,
            reason=reason,
        )
        messaging.appointment_changed(appointment=appointment, now=now)
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
    first_target = anchor.start.astimezone(zone) + dt.timedelta(days=protocol.interval_after(anchor.series_step))
    # The first later session takes the cancelled one's place in the rhythm, at its own local time.
    preferred = later[0].start.astimezone(zone).timetz()
    first_start = dt.datetime.combine(first_target.date(), preferred.replace(tzinfo=None), tzinfo=zone).astimezone(
        dt.UTC
    )
    if first_start <= now:
        return
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


def series_add_session(*, series: TreatmentSeries, start: dt.datetime, by, now: dt.datetime) -> Appointment:
    """Add a session after the last live one (an optional one beyond the required sessions)."""
    if start.tzinfo is None:
        raise BookingError(_("The time has no time zone."))
    with _booking_transaction():
        series = (
            TreatmentSeries.objects.select_for_update(of=("self",))
            .select_related("protocol__appointment_type", "practitioner", "location", "patient")
            .get(pk=series.pk)
        )
        if series.status != TreatmentSeries.Status.ACTIVE:
            raise BookingError(
                _("This series is %(status)s; no session can be added.")
                % {"status": series.get_status_display().lower()}
            )
        protocol = series.protocol
        live = list(series.appointments.filter(status__in=Appointment.LIVE_STATUSES).order_by("series_step"))
        limit = protocol.required_sessions + protocol.optional_sessions
        if not protocol.as_needed and len(live) >= limit:
            raise BookingError(_("This protocol has at most %(n)d sessions.") % {"n": limit})
        step = (live[-1].series_step if live else 0) + 1
        if live and start <= live[-1].start:
            raise BookingError(_("An added session must come after session %(step)d.") % {"step": live[-1].series_step})
        _check_one(
            patient=series.patient,
            practitioner=series.practitioner,
            location=series.location,
            appointment_type=protocol.appointment_type,
            start=start,
            now=now,
            room=None,
        )
        duration, _buffer = _type_times(protocol.appointment_type)
        appointment = Appointment.objects.create(
            patient=series.patient,
            practitioner=series.practitioner,
            location=series.location,
            appointment_type=protocol.appointment_type,
            series=series,
            series_step=step,
            is_optional=step > protocol.required_sessions,
            start=start,
            end=start + duration,
            created_by=by,
            created_at=now,
        )
        if step > series.planned_sessions:
            series.planned_sessions = step
            series.save(update_fields=["planned_sessions"])
        _history(kind=AppointmentChange.Kind.ADDED, by=by, now=now, appointment=appointment, new=start)
        messaging.appointment_changed(appointment=appointment, now=now)
    return appointment


def series_discontinue(*, series: TreatmentSeries, reason: str, by, now: dt.datetime) -> TreatmentSeries:
    """Stop a series: its future booked sessions are cancelled by the clinic with the reason."""
    if not reason.strip():
        raise BookingError(_("Give a reason for discontinuing."))
    with _booking_transaction():
        series = TreatmentSeries.objects.select_for_update(of=("self",)).get(pk=series.pk)
        if series.status == TreatmentSeries.Status.DISCONTINUED:
            raise BookingError(_("This series was already discontinued."))
        series.status = TreatmentSeries.Status.DISCONTINUED
        series.discontinued_at = now
        series.discontinued_reason = reason[:250]
        series.save(update_fields=["status", "discontinued_at", "discontinued_reason"])
        _history(kind=AppointmentChange.Kind.DISCONTINUED, by=by, now=now, series=series, reason=reason)
        for appointment in series.appointments.filter(status=Appointment.Status.BOOKED, start__gt=now):
            appointment.status = Appointment.Status.CANCELLED
            appointment.cancel_kind = Appointment.CancelKind.CLINIC
            appointment.cancel_reason = reason[:250]
            appointment.cancelled_at = now
            appointment.save(update_fields=["status", "cancel_kind", "cancel_reason", "cancelled_at", "updated_at"])
            _history(
                kind=AppointmentChange.Kind.CANCELLED,
                by=by,
                now=now,
                appointment=appointment,
                old=appointment.start,
                reason=reason,
            )
            messaging.appointment_changed(appointment=appointment, now=now)
    return series
