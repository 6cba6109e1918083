"""The day calendar's page below its heading (toolbar, grid, legend, dialogs) as HTML, kept in the
cache under what it shows, so a busy day is built once and then served to every desk until
something on it changes.

The key holds everything the grid depends on: the day, the location filter, whether the desk is a
practitioner (a link), the language and the day's version (selectors.calendar.DayReading: a digest
of the setup stamp, the day's appointments as the cards show them, their patients' updated_at and
screening flags). The page reads the day once: kept, that reading answers; else the grid is built
from it. Each process keeps the last grids it used in memory too, so a kept day is not even
unpickled from the shared cache. The grid also depends on the time (check-in on the day, no-show
once started, the line at the current time): an entry holds only until the next moment it would
change (DayCalendar.valid_until). Nothing in it belongs to a user or a session: the cards' buttons
submit the page's one form, which carries the CSRF token outside the grid."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from html import escape

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.dateformat import format as date_format
from django.utils.translation import get_language, ngettext

from clinic.layout_frame import kept_render, marker
from clinic.localtime import local_date
from clinic.models import Location
from treatments.scheduling.calendar_html import grid_text
from treatments.scheduling.selectors.calendar import DayReading, day_calendar_of, read_day
from treatments.scheduling.selectors.calendar_setup import CalendarSetup, forget_setup

log = logging.getLogger(__name__)

LONGEST_KEEP = 24 * 3600  # seconds


@dataclass
class DayGrid:
    # The page below its heading (toolbar, grid, legend, dialogs) as UTF-8, encoded once when built:
    # the page puts it between its own encoded halves (views.calendar), kept or not.
    body: bytes
    appointment_count: int
    version: str  # what the open day polls (selectors.calendar.DayReading.version)
    valid_until: dt.datetime


@dataclass
class DayAsked:
    """What the desk asked for and may see, besides the day's data."""

    day: dt.date
    location: Location | None
    feed_link: bool  # a practitioner sees "My calendar feed"
    setup: CalendarSetup  # the setup the view has read once for the page (its active locations: the filter)


def _key(asked: DayAsked, version: str) -> str:
    location_id = asked.location.pk if asked.location else None
    raw = f"{asked.day.isoformat()}|{location_id}|{asked.feed_link}|{get_language()}|{version}"
    return "desk-day-grid:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


# The day's own values in the kept template (treatments/calendar_day_kept.html), each a plain string.
_DAYS_OWN = ("day_long", "day", "previous", "today", "next", "count_text", "version", "grid_html")


def _frame(asked: DayAsked) -> str:
    """The kept template with a marker in each of the day's own places (_DAYS_OWN), rendered once
    per language, script prefix, setup (its locations, the legend's types: its token), filter and
    link (clinic.layout_frame.kept_render). A setup without a token (never stamped) is rendered each
    time, as nothing is kept then."""
    setup, location = asked.setup, asked.location

    def render() -> str:
        context: dict[str, object] = {name: marker(name) for name in _DAYS_OWN}
        context.update(
            locations=setup.locations if len(setup.locations) > 1 else [],
            location=location,
            keep=f"&location={location.pk}" if location else "",
            feed_link=asked.feed_link,
            appointment_types=setup.types,
        )
        return render_to_string("treatments/calendar_day_kept.html", context)

    if not setup.token:
        return render()
    return kept_render(("day-toolbar", setup.token, location.pk if location else None, asked.feed_link), render)


def _build(asked: DayAsked, now: dt.datetime, reading: DayReading) -> DayGrid:
    day, version = asked.day, reading.version
    data = day_calendar_of(reading, now=now)
    count = data.appointment_count
    own = {
        "day_long": escape(date_format(day, "l j F Y")),
        "day": day.isoformat(),
        "previous": (day - dt.timedelta(days=1)).isoformat(),
        "today": local_date(now).isoformat(),  # the entry holds until midnight at most (valid_until)
        "next": (day + dt.timedelta(days=1)).isoformat(),
        "count_text": escape(
            ngettext("%(counter)s appointment on this day", "%(counter)s appointments on this day", count)
            % {"counter": count}
        ),
        "version": version,
    }
    html = _frame(asked)
    for name, value in own.items():
        html = html.replace(marker(name), value)
    before, after = html.split(marker("grid_html"))
    assert data.valid_until is not None  # day_calendar always sets it
    # Every value escaped above or an ISO date, a count, a hex digest; the grid escaped its own.
    body = b"".join((before.encode(), grid_text(data.grid, day=day).encode(), after.encode()))
    return DayGrid(body, count, version, data.valid_until)


_recent: OrderedDict[str, DayGrid] = OrderedDict()  # this process's last grids, newest last
RECENT = 32


_lock = threading.Lock()


def _remember(key: str, grid: DayGrid) -> None:
    with _lock:
        _recent[key] = grid
        _recent.move_to_end(key)
        while len(_recent) > RECENT:
            _recent.popitem(last=False)


def day_grid(*, asked: DayAsked, now: dt.datetime) -> DayGrid:
    """The day page's body kept when what it shows has not changed since, else built and kept from
    the same reading of the day (two queries when kept: its rows and flags)."""
    location_id = asked.location.pk if asked.location else None
    reading = read_day(day=asked.day, location_id=location_id, setup=asked.setup)
    key = _key(asked, reading.version)
    kept = _recent.get(key) or _shared(cache.get, key)
    if kept is not None and now < kept.valid_until:
        _remember(key, kept)
        return kept
    grid = _build(asked, now, reading)
    keep = min(LONGEST_KEEP, max(1, int((grid.valid_until - now).total_seconds())))
    _shared(cache.set, key, grid, timeout=keep)
    _remember(key, grid)
    return grid


def _shared(operation, *args, **kwargs):
    """The shared cache is a speed-up only: when it cannot be reached (Redis stopped) the desk
    still gets its day, built afresh, and the error is logged (as patients.ratelimit does)."""
    try:
        return operation(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 (any cache backend's connection error)
        log.error("day grid: the cache cannot be reached (%s); building the day afresh", type(exc).__name__)
        return None


def forget_grids() -> None:
    """Empty this process's grids, keeping its setup: as after a check-in, a booking or a move,
    which change the day's version and not the setup stamp (the bench's "built afresh")."""
    with _lock:
        _recent.clear()


def forget_recent() -> None:
    """Empty this process's grids and setup (the tests do, with the cache and the kept frames
    (clinic.layout_frame.forget_frames), before each test)."""
    forget_grids()
    forget_setup()
