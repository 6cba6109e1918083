"""Planning reads for "Book a series" and "Add a session": the planner run against the
practitioner's availability (three queries each), so the views only parse and render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.translation import gettext as _

from clinic.localtime import clinic_zone, local_date, to_local
from clinic.models import Location, Practitioner, Room
from patients.models import Patient
from treatments.models import Appointment, Protocol, TreatmentSeries
from treatments.scheduling.planning import Proposal, check_proposals, plan_series
from treatments.scheduling.rules import plan_reach, type_times, window_after
from treatments.scheduling.selectors.availability import availability_for


def _rhythm(protocol: Protocol, count: int) -> dict:
    duration, buffer = type_times(protocol.appointment_type)
    return {
        "intervals": [protocol.interval_after(step) for step in range(1, count)],
        "before_days": protocol.window_before_days,
        "after_days": protocol.window_after_days,
        "duration": duration,
        "buffer": buffer,
    }


def series_propose(
    *,
    protocol: Protocol,
    count: int,
    practitioner: Practitioner,
    location: Location,
    patient: Patient,
    room: Room | None,
    first: dt.datetime,
    now: dt.datetime,
) -> list[Proposal]:
    """`count` sessions from `first` at the protocol's spacing; each one off its target day says
    why in its `note`, each one that cannot be placed in its `problem`."""
    rhythm = _rhythm(protocol, count)
    zone = clinic_zone()
    last = plan_reach(local_date(first, zone), rhythm["intervals"], count, rhythm["after_days"])
    availability = availability_for(
        practitioner=practitioner,
        location=location,
        patient=patient,
        room=room,
        first=local_date(first, zone),
        last=last,
    )
    proposals = plan_series(first=first, count=count, availability=availability, **rhythm)
    if first <= now:
        proposals[0] = Proposal(1, first, first + rhythm["duration"], None, _("Session 1: that time is in the past"))
    return proposals


def series_check(
    *,
    protocol: Protocol,
    practitioner: Practitioner,
    location: Location,
    patient: Patient,
    room: Room | None,
    starts: Sequence[dt.datetime],
    now: dt.datetime,
) -> list[Proposal]:
    """The desk's edited plan re-checked, with the same notes as a fresh proposal."""
    zone = clinic_zone()
    availability = availability_for(
        practitioner=practitioner,
        location=location,
        patient=patient,
        room=room,
        first=local_date(min(starts), zone),
        last=local_date(max(starts), zone),
        now=now,
    )
    return check_proposals(starts=list(starts), availability=availability, now=now, **_rhythm(protocol, len(starts)))


def next_session_prefill(series: TreatmentSeries, sessions: Sequence[Appointment]) -> dict:
    """ "Add a session" prefilled on the protocol's target after the last live session, same time."""
    live = [a for a in sessions if a.is_live]
    if not live:
        return {}
    last = live[-1]
    zone = clinic_zone()
    return {"date": window_after(last, series.protocol, zone).target, "time": to_local(last.start, zone).time()}
