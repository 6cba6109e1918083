"""What a move dragged (or keyed) on the desk calendar would do to its series' spacing, before the
desk confirms: the session's window (selectors.moves.session_window, the one the move service
checks) and the spacing notes (rules.spacing) of the series with the session at its new time.
Reads only; appointment_move decides. One query for a series session, none for a standalone one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from clinic.localtime import clinic_zone, local_date
from treatments.models import Appointment
from treatments.scheduling.rules import SpacingNote, Window, spacing
from treatments.scheduling.selectors.moves import series_siblings, session_window


@dataclass
class _Placed:
    """A session as rules.spacing reads it, at a time of our choosing (not frozen: rules.Session
    declares plain attributes)."""

    series_step: int | None
    start: dt.datetime
    is_live: bool = True


@dataclass
class MovePreview:
    appointment: Appointment
    start: dt.datetime
    window: Window | None = None  # keeping the later sessions where they are
    in_window: bool = True
    before: list[SpacingNote] = field(default_factory=list)  # the notes it changes, as they are now
    after: list[SpacingNote] = field(default_factory=list)  # and as they would be


def move_preview(*, appointment: Appointment, start: dt.datetime, now: dt.datetime) -> MovePreview:
    preview = MovePreview(appointment=appointment, start=start)
    if appointment.series_id is None:
        return preview
    zone = clinic_zone()
    siblings = series_siblings(appointment)
    preview.window = session_window(appointment, siblings=siblings, today=local_date(now, zone))
    preview.in_window = preview.window is not None and preview.window.contains(local_date(start, zone))
    series = appointment.series
    assert series is not None  # series_id is set
    rhythm = series.protocol
    others = [_Placed(s.series_step, s.start) for s in siblings]
    now_notes = spacing(
        sessions=[*others, _Placed(appointment.series_step, appointment.start)], rhythm=rhythm, zone=zone
    )
    new_notes = spacing(sessions=[*others, _Placed(appointment.series_step, start)], rhythm=rhythm, zone=zone)
    # The moved session against the one before it, and the next one against it.
    steps = sorted(
        step for step in new_notes if new_notes[step] != now_notes.get(step) or step == appointment.series_step
    )
    preview.before = [now_notes[step] for step in steps if step in now_notes]
    preview.after = [new_notes[step] for step in steps]
    return preview


__all__ = ["MovePreview", "move_preview"]
