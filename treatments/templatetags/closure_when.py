"""`{{ closure|closure_when }}`: when a closure or time off is, as the setup pages write it — whole
days as days ("Mon 28 Dec 2026, all day"; "Mon 28 Dec – Wed 30 Dec 2026, all day"), part of a
day with its times ("Tue 8 Dec 2026 09:00–13:00"), in the clinic's time; not "00:00 – 00:00"."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clinic.localtime import to_local

register = template.Library()


def when_text(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    start, end = to_local(starts_at), to_local(ends_at)
    midnight = dt.time(0, 0)
    if start.time() == midnight and end.time() == midnight and end.date() > start.date():
        last = end.date() - dt.timedelta(days=1)
        if last == start.date():
            return _("%(day)s, all day") % {"day": date_format(start.date(), "D j M Y")}
        first = date_format(start.date(), "D j M" if start.year == last.year else "D j M Y")
        return _("%(first)s – %(last)s, all day") % {"first": first, "last": date_format(last, "D j M Y")}
    if start.date() == end.date():
        return f"{date_format(start.date(), 'D j M Y')} {start:%H:%M}–{end:%H:%M}"
    return f"{date_format(start.date(), 'D j M Y')} {start:%H:%M} – {date_format(end.date(), 'D j M Y')} {end:%H:%M}"


@register.filter
def closure_when(closure) -> str:
    return when_text(closure.starts_at, closure.ends_at)
