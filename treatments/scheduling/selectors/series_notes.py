"""What the desk's pages say about a series' dates: a session spaced differently from the protocol
(rules.spacing, with the numbers) and why a booked session is not on its target day
(availability.blocked_reason, else its history). Reads only; the rules themselves are in rules.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from clinic.localtime import clinic_zone, local_date, to_local
from treatments.models import Appointment, AppointmentChange, TreatmentSeries
from treatments.scheduling.availability import blocked_reason, off_target_note
from treatments.scheduling.rules import SpacingNote, short_day, spacing, type_times, window_after
from treatments.scheduling.selectors.availability import availability_for


def spacing_notes(series: Iterable[TreatmentSeries], sessions: Iterable[Appointment]) -> dict[int, SpacingNote]:
    """By appointment id, every live session spaced other than its protocol's target. `sessions`
    must hold every live session of those series; `series` their protocols (no query here)."""
    by_series: dict[int, list[Appointment]] = {}
    for session in sessions:
        if session.series_id is not None and session.is_live:
            by_series.setdefault(session.series_id, []).append(session)
    zone = clinic_zone()
    notes = {}
    for one in series:
        live = by_series.get(one.pk, [])
        by_step = spacing(sessions=live, rhythm=one.protocol, zone=zone)
        for session in live:
            note = by_step.get(session.series_step) if session.series_step is not None else None
            if note is not None and not note.ok:
                notes[session.pk] = note
    return notes


def series_spacing(series: TreatmentSeries) -> list[SpacingNote]:
    """The series' spacing problems by step, e.g. to tell the desk after a move (one query)."""
    notes = spacing_notes([series], Appointment.objects.filter(series=series, status__in=Appointment.LIVE_STATUSES))
    return sorted(notes.values(), key=lambda note: note.step)


def off_target_notes(
    series: TreatmentSeries, sessions: Sequence[Appointment], history: Sequence[AppointmentChange]
) -> dict[int, str]:
    """By appointment id, why each booked session is not on the day its previous live session's
    spacing points at: what blocks that day (a closure, leave, no hours, fully booked), else the
    move that put it there. Three queries, only when some session is off target."""
    zone = clinic_zone()
    protocol = series.protocol
    live = sorted((a for a in sessions if a.is_live and a.series_step is not None), key=lambda a: a.series_step or 0)
    off: list[tuple[Appointment, Appointment, dt.date]] = []
    for previous, session in zip(live, live[1:], strict=False):
        target = window_after(previous, protocol, zone).target
        if target is None:
            continue
        if session.status == Appointment.Status.BOOKED and local_date(session.start, zone) != target:
            off.append((previous, session, target))
    if not off:
        return {}
    availability = availability_for(
        practitioner=series.practitioner,
        location=series.location,
        patient=series.patient,
        first=min(target for _p, _s, target in off),
        last=max(target for _p, _s, target in off),
        exclude_ids=[session.pk for _p, session, _t in off],
    )
    duration, buffer = type_times(protocol.appointment_type)
    moves: dict[int, AppointmentChange] = {}
    for change in history:  # newest first: keep each session's latest move
        if change.kind == AppointmentChange.Kind.MOVED and change.appointment_id:
            moves.setdefault(change.appointment_id, change)
    notes = {}
    for previous, session, target in off:
        placed = local_date(session.start, zone)
        reason = blocked_reason(
            day=target,
            preferred=to_local(session.start, zone).time(),
            duration=duration,
            buffer=buffer,
            availability=availability,
        )
        notes[session.pk] = _why_else(previous, session, target, placed, reason, moves)
    return notes


def _why_else(
    previous: Appointment,
    session: Appointment,
    target: dt.date,
    placed: dt.date,
    reason: str,
    moves: dict[int, AppointmentChange],
) -> str:
    if reason:
        return off_target_note(target, placed, reason)
    days = {"target": short_day(target), "placed": short_day(placed)}
    move = moves.get(session.pk)
    if move is not None and move.reason:
        return _("%(target)s was free; moved to %(placed)s: “%(reason)s”") % {**days, "reason": move.reason}
    if move is not None:
        return _("%(target)s was free; moved to %(placed)s at the desk") % days
    if previous.pk in moves:
        return _("%(target)s is its target since session %(previous)d moved; it kept %(placed)s") % {
            **days,
            "previous": previous.series_step,
        }
    return _("%(target)s was free; booked for %(placed)s at the desk") % days
