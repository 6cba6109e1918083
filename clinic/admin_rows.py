"""The audit log's rows built in Python (clinic.admin.AuditEntryAdmin): each cell as Django's change
list shows it (admin.utils.display_for_field), escaped once, a row handed to the template as one
string. Django's per-cell machinery (a template variable per cell, the choices' labels and the date
format looked up per cell) cost more than the rest of the page at 50 rows."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from html import escape as html_escape
from typing import Any

from django.conf import settings
from django.contrib.admin.utils import display_for_field
from django.db import models
from django.db.models import QuerySet
from django.utils import dateformat, formats, timezone, translation
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from .localtime import to_local
from .url_halves import url_halves

# The format specifiers (django.utils.dateformat) that depend on the date alone, and on the time of
# day alone; any other (the time zone's name or offset, a timestamp) is formatted whole.
_DATE_SPECIFIERS = frozenset("bdDEFjlLmMnNoSwWyYz")
_TIME_SPECIFIERS = frozenset("aAfgGhHiPsu")


class Row(list):
    """A row of cells for admin/change_list_results.html, which asks each row for its form."""

    form = None


@functools.lru_cache(maxsize=4096)
def _specified(
    language: str | None,  # noqa: ARG001 - a key of the cache, read by gettext as the active language
    specifiers: tuple[str, ...],
    moment: dt.datetime,
) -> tuple[str, ...]:
    """Each specifier's text for `moment` ("" for those left blank), in the active
    language (`language` keys the cache: month and a.m./p.m. names are translated)."""
    formatter = dateformat.DateFormat(moment)
    return tuple(str(getattr(formatter, s)()) if s else "" for s in specifiers)


def datetime_text(format_string: str, zone: dt.tzinfo) -> Callable[[dt.datetime], str]:
    """`dateformat.format(value in zone, format_string)`, with the part that depends on the date
    worked out once per date and the part that depends on the time of day once per minute (or
    second, if shown), kept for the next pages (_specified): Django's formatter builds an object
    and translates the month's and the a.m./p.m. names for every value."""
    pieces = dateformat.re_formatchars.split(format_string)
    specifiers = pieces[1::2]
    if not all(s in _DATE_SPECIFIERS or s in _TIME_SPECIFIERS for s in specifiers):
        return lambda value: dateformat.format(to_local(value, zone), format_string)
    literals = [dateformat.re_escaped.sub(r"\1", piece) for piece in pieces[0::2]]
    on_date = tuple(s if s in _DATE_SPECIFIERS else "" for s in specifiers)
    at_time = tuple(s if s in _TIME_SPECIFIERS else "" for s in specifiers)
    seconds, micro = "s" in specifiers, "u" in specifiers
    language = translation.get_language()

    def text(value: dt.datetime) -> str:
        local = to_local(value, zone)
        # The keys as UTC datetimes, whichever the zone: only their fields are formatted.
        day = _specified(language, on_date, dt.datetime(local.year, local.month, local.day, tzinfo=dt.UTC))
        second, microsecond = local.second if seconds else 0, local.microsecond if micro else 0
        moment = dt.datetime(2000, 1, 1, local.hour, local.minute, second, microsecond, tzinfo=dt.UTC)
        clock = _specified(language, at_time, moment)
        out = [literals[0]]
        for n in range(len(specifiers)):
            out += (day[n] or clock[n], literals[n + 1])
        return "".join(out)

    return text


def _cell_html(field, empty: str) -> Callable[[Any], str]:
    """The field's value as display_for_field shows it, escaped, with what that looks up per value
    (the choices' labels, the date format, the time zone) looked up once per page. The texts below
    are plain strings, escaped by the standard library's html.escape (what Django's escape does,
    without its check for lazy arguments on every call)."""
    empty = conditional_escape(empty)  # the admin's "-", marked safe
    name, blank = value_key(field), field.empty_values
    if field.is_relation:  # the user: shown by its username, as str(user) is
        return lambda entry: empty if (related := entry[name]) is None else html_escape(related)
    if field.flatchoices:
        labels = {value: html_escape(str(label)) for value, label in field.flatchoices}
        return lambda entry: labels.get(entry[name], empty)
    if isinstance(field, models.DateTimeField) and settings.USE_TZ:
        shown = datetime_text(formats.get_format("DATETIME_FORMAT"), timezone.get_current_timezone())
        return lambda entry: empty if (value := entry[name]) in blank else html_escape(shown(value))
    if isinstance(field, models.CharField) or (
        isinstance(field, models.IntegerField) and not settings.USE_THOUSAND_SEPARATOR
    ):
        return lambda entry: empty if (value := entry[name]) in blank else html_escape(str(value))
    return lambda entry: conditional_escape(display_for_field(entry[name], field, empty))


def value_key(field) -> str:
    """The key of `field`'s value among an entry's values (audit_rows): a user by its username."""
    if field.is_relation:
        return f"{field.name}__{field.related_model.USERNAME_FIELD}"
    return field.attname


def audit_rows(entries: QuerySet, columns: list[str], empty: str) -> list[Row]:
    """Each entry's cells as Django's change list renders them: the first a link to the entry,
    a user's name (or `empty`), choices by their label, the rest as display_for_field shows them.
    `entries` (the page's QuerySet) is read as plain values: no entry or user made a model."""
    from .models import AuditEntry

    link = [escape(half) for half in url_halves("admin:clinic_auditentry_change")]
    fields = [AuditEntry._meta.get_field(name) for name in columns]
    entries = entries.values("pk", *(value_key(field) for field in fields))
    cells = [_cell_html(field, empty) for field in fields]
    # The cells' opening tags: the names are the model's (no escaping needed).
    opens = []
    for n, field in enumerate(fields):
        nowrap = " nowrap" if field.is_relation or isinstance(field, models.DateTimeField) else ""
        opens.append(f'<{"th" if n == 0 else "td"} class="field-{field.name}{nowrap}">')
    first, rest = cells[0], list(zip(opens[1:], cells[1:], strict=True))
    rows = []
    for entry in entries:
        html = [f'{opens[0]}<a href="{link[0]}{entry["pk"]}{link[1]}">{first(entry)}</a></th>']
        html += [f"{tag}{cell(entry)}</td>" for tag, cell in rest]
        rows.append(Row([mark_safe("".join(html))]))  # every value escaped by its cell
    return rows
