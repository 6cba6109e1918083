"""Where an appointment may move: its window (rules.allowed_window over its siblings) and free
times nearby. The desk's move page, the move service, the waitlist and the patient's own
rescheduling read the window here, so an offer and a move never disagree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from clinic.localtime import clinic_zone, local_date, to_local
from treatments.models import Appointment
from treatments.scheduling.planning import suggest_starts
from treatments.scheduling.rules import Window, allowed_window, offer_last, type_times
from treatments.scheduling.selectors.availability import availability_around


def series_siblings(appointment: Appointment) -> list[Appointment]:
    """The other live sessions of its series, by step (one query; none for a standalone one)."""
    if appointment.series_id is None:
        return []
    return list(
        Appointment.objects.filter(series_id=appointment.series_id, status__in=Appointment.LIVE_STATUSES)
        .exclude(pk=appointment.pk)
        .order_by("series_step")
    )


def session_window(
    appointment: Appointment, *, siblings: Iterable[Appointment], today: dt.date, shift_later: bool = False
) -> Window | None:
    """The local dates a series session may move to, from `today` on; None when no date keeps the
    spacing. A standalone appointment has no window: callers check `series_id` first."""
    if appointment.series is None:
        return None
    return allowed_window(
        session=appointment,
        siblings=siblings,
        rhythm=appointment.series.protocol,
        zone=clinic_zone(),
        today=today,
        shift_later=shift_later,
    )


@dataclass
class MoveOptions:
    window: Window | None = None  # keeping the later sessions where they are
    window_shifted: Window | None = None  # shifting the later sessions with it
    suggestions: list[dt.datetime] = field(default_factory=list)


def move_suggestions(*, appointment: Appointment, now: dt.datetime) -> MoveOptions:
    """The move page's windows and up to six free times near the appointment's own local time: in
    the shifted window for a series session, else over the next two weeks. Four queries."""
    zone = clinic_zone()
    today = local_date(now, zone)
    options = MoveOptions()
    first, last = today, offer_last(None, today)
    if appointment.series_id is not None:
        siblings = series_siblings(appointment)
        options.window = session_window(appointment, siblings=siblings, today=today)
        options.window_shifted = session_window(appointment, siblings=siblings, today=today, shift_later=True)
        if options.window_shifted is None:
            return options
        first = options.window_shifted.earliest
        last = offer_last(options.window_shifted, first)
    duration, buffer = type_times(appointment.appointment_type)
    availability = availability_around(appointment, first=first, last=last)
    options.suggestions = suggest_starts(
        first=first,
        last=last,
        preferred=to_local(appointment.start, zone).time(),
        duration=duration,
        buffer=buffer,
        availability=availability,
        not_before=now,
    )
    return options
