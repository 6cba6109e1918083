"""Clinic-local time: the one place that turns a local date and wall-clock time into a stored UTC
instant, and back. Storage is UTC; the clinic plans and reads in its own zone (CLINIC_TIME_ZONE,
which is Django's TIME_ZONE), so a 09:00 series stays at 09:00 across a daylight-saving change.

Pure functions; `zone` defaults to the clinic's so callers in the ORM layers need not pass it,
while the planner (pure code) passes the zone it was given."""

import datetime as dt
import zoneinfo

from django.utils import timezone
from django.utils.dateformat import format as date_format


def clinic_zone() -> zoneinfo.ZoneInfo:
    """Django's default zone, which the settings take from CLINIC_TIME_ZONE: pages, forms and the
    admin already work in it, so the code that plans cannot disagree with them."""
    return timezone.get_default_timezone()


def local_datetime(day: dt.date, at: dt.time, zone: zoneinfo.ZoneInfo | None = None) -> dt.datetime:
    """The UTC instant of a wall-clock time on a local date. A time that does not exist (the hour
    skipped in spring) or exists twice (autumn) resolves as Python's fold=0 does: the earlier."""
    return dt.datetime.combine(day, at, tzinfo=zone or clinic_zone()).astimezone(dt.UTC)


def to_local(moment: dt.datetime, zone: dt.tzinfo | None = None) -> dt.datetime:
    """The instant on the clinic's wall clock (aware, in the clinic zone): its .time(), .weekday().
    `zone`: another wall clock where a caller is handed one (the admin's current zone)."""
    return moment.astimezone(zone or clinic_zone())


def to_utc(moment: dt.datetime) -> dt.datetime:
    """The instant in UTC, for a stamp written in UTC (an iCalendar time, a message's key)."""
    return moment.astimezone(dt.UTC)


def utc_stamp(moment: dt.datetime) -> str:
    """The instant as ISO text in UTC: how a message's data stores a time it names."""
    return to_utc(moment).isoformat()


def local_date(moment: dt.datetime, zone: zoneinfo.ZoneInfo | None = None) -> dt.date:
    return to_local(moment, zone).date()


def day_bounds(
    first: dt.date, last: dt.date | None = None, zone: zoneinfo.ZoneInfo | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in UTC of the local days first..last (one day when `last` is None). A local day
    is 23 or 25 hours long on a daylight-saving change, so never add 24 hours to a midnight."""
    last = last or first
    return local_datetime(first, dt.time.min, zone), local_datetime(last + dt.timedelta(days=1), dt.time.min, zone)


def local_shift(moment: dt.datetime, delta: dt.timedelta, zone: zoneinfo.ZoneInfo | None = None) -> dt.datetime:
    """The UTC instant `delta` away from `moment` on the clinic's wall clock, not the stopwatch:
    24 hours before Sunday 09:00 is Saturday 09:00 even when the clocks change overnight and that
    day has 23 or 25 hours, which is what a patient means by "the day before"."""
    wall = moment.astimezone(zone or clinic_zone()).replace(tzinfo=None) + delta
    return local_datetime(wall.date(), wall.time(), zone)


def day_text(day: dt.date) -> str:
    """A day as the staff pages write it, in a sentence or a table: "7 Dec 2026"."""
    return date_format(day, "j M Y")


def moment_text(moment: dt.datetime) -> str:
    """An instant on the clinic's wall clock as the staff pages write it: "7 Dec 2026, 14:05"."""
    return date_format(to_local(moment), "j M Y, H:i")
