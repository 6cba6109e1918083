"""The day calendar's grid as HTML, kept in the cache under what it shows, so a busy day is built
once and then served to every desk until something on it changes.

The key holds everything the grid depends on: the day, the location filter, the language, the
setup stamp (practitioners, hours, closures, types, rooms, protocols: clinic.setup_stamp) and the
day's fingerprint (its appointments, their patients and screening flags, the other sessions of
their series: selectors.calendar_version). The grid also depends on the time (check-in on the day,
no-show once started, the line at the current time): an entry holds only until the next moment
it would change (DayCalendar.valid_until). Nothing in it belongs to a user or a session: the
cards' buttons submit the page's one form, which carries the CSRF token outside the grid."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from clinic.models import AppointmentType
from clinic.setup_stamp import setup_stamp
from treatments.scheduling.selectors.calendar import attach_urls, day_calendar
from treatments.scheduling.selectors.calendar_version import day_version

LONGEST_KEEP = 24 * 3600  # seconds


@dataclass
class DayGrid:
    html: SafeString  # the grid and its colour legend
    appointment_count: int
    version: str  # what the open day polls (calendar_version.day_version)
    valid_until: dt.datetime


def _key(day: dt.date, location_id: int | None, version: str) -> str:
    raw = f"{day.isoformat()}|{location_id}|{get_language()}|{setup_stamp()}|{version}"
    return "desk-day-grid:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def _build(day: dt.date, location_id: int | None, now: dt.datetime, version: str) -> DayGrid:
    data = day_calendar(day=day, now=now, location_id=location_id)
    attach_urls(data.grid)
    context = {"grid": data.grid, "day": day, "week": False, "appointment_types": AppointmentType.objects.all()}
    html = render_to_string("treatments/calendar_grid.html", context)
    html += render_to_string("treatments/calendar_legend.html", context)
    return DayGrid(mark_safe(html), data.appointment_count, version, data.valid_until)  # rendered by our templates


def day_grid(*, day: dt.date, location_id: int | None, now: dt.datetime) -> DayGrid:
    """The grid from the cache when what it shows has not changed since, else built and kept.
    Two queries when kept (the fingerprint and the setup stamp)."""
    version = day_version(day=day, location_id=location_id)
    key = _key(day, location_id, version)
    kept = cache.get(key)
    if kept is not None and now < kept.valid_until:
        return kept
    grid = _build(day, location_id, now, version)
    keep = min(LONGEST_KEEP, max(1, int((grid.valid_until - now).total_seconds())))
    cache.set(key, grid, timeout=keep)
    return grid
