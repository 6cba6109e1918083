"""Reads for the patient's own rescheduling: the free times a session may move to, and the times
the next planned session may take. The window always comes from the series rules
(selectors.moves.session_window / rules.window_after), the free times from the same availability
as the desk's, so the portal offers only what the booking service will accept. Every day of the
window that has no time on offer says why (a closure, leave, no hours, fully booked)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from clinic.localtime import clinic_zone, local_date, to_local
from treatments.models import Appointment, TreatmentSeries
from treatments.scheduling.availability import Availability, blocked_reason
from treatments.scheduling.planning import day_starts
from treatments.scheduling.rules import (
    HORIZON_DAYS,
    Window,
    from_day,
    offer_last,
    session_limit,
    short_day,
    type_times,
    window_after,
    window_text,
)
from treatments.scheduling.selectors.availability import availability_around, availability_for
from treatments.scheduling.selectors.moves import series_siblings, session_window


@dataclass
class DayOff:
    day: dt.date
    reason: str

    @property
    def label(self) -> str:
        return short_day(self.day)


@dataclass
class SlotChoices:
    """What the patient may pick: `slots` (every free time of each day) inside `window`;
    `days_off` the days of the window that offer nothing, with the reason. `window` is None for a
    standalone appointment, and `closed` says when a series leaves no date at all."""

    window: Window | None = None
    closed: bool = False
    slots: list[dt.datetime] = field(default_factory=list)
    days_off: list[DayOff] = field(default_factory=list)
    # The same free times by day (every free time of each allowed day, not one a day).
    days: list[tuple[dt.date, list[dt.datetime]]] = field(default_factory=list)

    @property
    def window_text(self) -> str:
        return "" if self.window is None else window_text(self.window, framed=False)

    def offers(self, start: dt.datetime) -> bool:
        return start in self.slots


def _fill(
    choices: SlotChoices,
    *,
    first: dt.date,
    last: dt.date,
    preferred: dt.time,
    duration: dt.timedelta,
    buffer: dt.timedelta,
    availability: Availability,
    now: dt.datetime,
    skip: dt.datetime | None = None,
) -> SlotChoices:
    days = day_starts(
        first=first, last=last, preferred=preferred, duration=duration, buffer=buffer, availability=availability
    )
    for day, nearest in days:
        # Every free time of the day (not only the one nearest the usual time), on the offer grid.
        starts = (
            []
            if nearest is None
            else [
                start
                for start in availability.starts_on(day, duration, buffer, not_before=now + dt.timedelta(seconds=1))
                if start != skip
            ]
        )
        if starts:
            choices.days.append((day, starts))
            choices.slots.extend(starts)
        elif nearest is None:
            reason = blocked_reason(
                day=day, preferred=preferred, duration=duration, buffer=buffer, availability=availability
            )
            choices.days_off.append(DayOff(day, reason))
    return choices


def _span(window: Window, today: dt.date) -> tuple[dt.date, dt.date]:
    first = max(window.earliest, today)
    # A long window is shown for its first six weeks.
    return first, min(offer_last(window, first), first + dt.timedelta(days=HORIZON_DAYS * 3))


def portal_move_choices(*, appointment: Appointment, now: dt.datetime) -> SlotChoices:
    """Where the patient may move `appointment`, keeping the later sessions where they are (a
    patient's move never re-plans the rest of their series). Four queries."""
    zone = clinic_zone()
    today = local_date(now, zone)
    kind = appointment.appointment_type
    duration, buffer = type_times(kind)
    preferred = to_local(appointment.start, zone).time()
    if appointment.series_id is None:
        # No spacing to keep: the free times of the next two weeks.
        choices, first, last = SlotChoices(), today, today + dt.timedelta(days=HORIZON_DAYS)
    else:
        window = session_window(appointment, siblings=series_siblings(appointment), today=today)
        if window is None:
            return SlotChoices(closed=True)
        choices = SlotChoices(window=window)
        first, last = _span(window, today)
    availability = availability_around(appointment, first=first, last=last)
    return _fill(
        choices,
        first=first,
        last=last,
        preferred=preferred,
        duration=duration,
        buffer=buffer,
        availability=availability,
        now=now,
        skip=appointment.start,
    )


@dataclass
class NextSession:
    series: TreatmentSeries
    step: int
    choices: SlotChoices


def next_session_step(*, series: TreatmentSeries, live: list[Appointment]) -> int | None:
    """The step the patient may book themselves: the one after the last live session, when the
    practitioner's plan (planned sessions) and the protocol's limit both leave room for it."""
    if series.status == TreatmentSeries.Status.DISCONTINUED or not live:
        return None
    step = (live[-1].series_step or 0) + 1
    protocol = series.protocol
    if step > series.planned_sessions:
        return None
    limit = session_limit(protocol)
    if limit is not None and step > limit:
        return None
    return step


def portal_next_session(*, series: TreatmentSeries, now: dt.datetime) -> NextSession | None:
    """The next planned session the patient may book and its free times inside the window the
    last live session sets; None when the plan has no room. Five queries."""
    live = list(Appointment.objects.filter(series=series, status__in=Appointment.LIVE_STATUSES).order_by("series_step"))
    step = next_session_step(series=series, live=live)
    if step is None:
        return None
    zone = clinic_zone()
    today = local_date(now, zone)
    protocol = series.protocol
    window = from_day(window_after(live[-1], protocol, zone), today)
    if window is None:
        return NextSession(series=series, step=step, choices=SlotChoices(closed=True))
    kind = protocol.appointment_type
    first, last = _span(window, today)
    availability = availability_for(
        practitioner=series.practitioner, location=series.location, patient=series.patient, first=first, last=last
    )
    duration, buffer = type_times(kind)
    choices = _fill(
        SlotChoices(window=window),
        first=first,
        last=last,
        preferred=to_local(live[-1].start, zone).time(),
        duration=duration,
        buffer=buffer,
        availability=availability,
        now=now,
    )
    return NextSession(series=series, step=step, choices=choices)
