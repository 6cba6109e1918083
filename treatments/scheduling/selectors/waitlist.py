"""Who on the waitlist could take a slot that was just freed. A patient waiting to bring a series
session forward only counts when the move service would accept the move: the same window
(selectors.moves.session_window, i.e. rules.allowed_window). A fixed number of queries: entries,
their series' sessions, the practitioner's availability (three) and the screening flags."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from clinic.localtime import clinic_zone, local_date
from patients.selectors import ScreeningFlag, screening_flags
from treatments.models import Appointment, WaitlistEntry
from treatments.scheduling.rules import Window, type_times
from treatments.scheduling.selectors.availability import availability_for
from treatments.scheduling.selectors.moves import session_window


@dataclass(frozen=True)
class Candidate:
    entry: WaitlistEntry
    window: Window | None
    flags: list[ScreeningFlag]
    note: str = ""


def waitlist_open(*, practitioner_id: int | None = None) -> list[WaitlistEntry]:
    qs = WaitlistEntry.objects.filter(resolved_at__isnull=True).select_related(
        "patient", "practitioner", "appointment_type", "appointment", "appointment__series"
    )
    if practitioner_id is not None:
        qs = qs.filter(practitioner_id=practitioner_id)
    return list(qs.order_by("created_at", "id"))


def freed_slots(*, now: dt.datetime, limit: int = 20) -> list[Appointment]:
    """Upcoming appointments that were cancelled: times the waitlist may take (one query)."""
    return list(
        Appointment.objects.filter(status=Appointment.Status.CANCELLED, start__gt=now)
        .select_related("practitioner", "location", "appointment_type")
        .order_by("start")[:limit]
    )


def waitlist_candidates(*, freed: Appointment, now: dt.datetime) -> list[Candidate]:
    """Open entries for the freed appointment's practitioner who fit the slot now."""
    if freed.start <= now:
        return []
    entries = waitlist_open(practitioner_id=freed.practitioner_id)
    series_ids = {e.appointment.series_id for e in entries if e.appointment and e.appointment.series_id}
    siblings = list(
        Appointment.objects.filter(series_id__in=series_ids, status__in=Appointment.LIVE_STATUSES).select_related(
            "series__protocol"
        )
    )
    by_pk = {a.pk: a for a in siblings}
    by_series: dict[int | None, list[Appointment]] = {}
    for sibling in siblings:
        by_series.setdefault(sibling.series_id, []).append(sibling)
    zone = clinic_zone()
    day, today = local_date(freed.start, zone), local_date(now, zone)
    availability = availability_for(practitioner=freed.practitioner, location=freed.location, first=day, last=day)
    flags = screening_flags({e.patient_id for e in entries})
    result = []
    for entry in entries:
        duration, buffer = type_times(entry.appointment_type)
        # The slot must be free for this patient's appointment type (a longer one may not fit).
        if availability.problem(freed.start, freed.start + duration, buffer=buffer):
            continue
        window = None
        waiting_for = entry.appointment
        if waiting_for is not None:
            current = by_pk.get(waiting_for.pk, waiting_for)
            # Only a booked session moves (as the move service says), and only to an earlier time.
            if current.status != Appointment.Status.BOOKED or current.start <= freed.start:
                continue
            if current.series_id is not None:
                window = session_window(current, siblings=by_series[current.series_id], today=today)
                if window is None or not window.contains(day):
                    continue
        note = _("Keeps the series inside its window.") if window else ""
        result.append(Candidate(entry=entry, window=window, flags=flags.get(entry.patient_id, []), note=note))
    return result
