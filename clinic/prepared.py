"""A statement a hot page runs on every request, prepared once per database connection on
PostgreSQL (PREPARE ... then EXECUTE): the calendars' rows, the day's fingerprint and the money
badges are long queries compiled once per shape (their SQL is a constant string), and PostgreSQL
parses and plans them anew on each plain execute — 1-2 ms each on a busy day, about what the
badges' query takes to run. A prepared statement is parsed and planned once: each EXECUTE is
sent with `SET LOCAL plan_cache_mode = force_generic_plan` in the same round trip (PostgreSQL's
own choice, `auto`, kept re-planning the calendar's two; their generic plans read the same
indexes, measured 1 ms faster for the fingerprint, 0.3 ms for the rows, 0.9 ms for the badges on
a busy day). LOCAL: the setting ends with the statement, or with the transaction it runs in.

A prepared statement lives as long as its connection (persistent: CONN_MAX_AGE) and outlives a
rolled back transaction; each Django connection remembers which of its raw connection's
statements exist, and forgets them all when it reconnects. The PREPARE goes through the driver's
own cursor: it is not a query of the page (the query counts the tests assert stay the same). On
any other database the statement runs as it is."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import connection

_PLACEHOLDER = re.compile(r"%%|%s")
_GENERIC = "SET LOCAL plan_cache_mode = force_generic_plan"


def _numbered(sql: str) -> str:
    """The driver's `%s` placeholders as PostgreSQL's `$1, $2, ...`; `%%` back to `%`."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(0) == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(replace, sql)


def _prepared_names() -> set[str]:
    """The statements prepared on the current connection, forgotten on a new connection."""
    raw = connection.connection
    kept = getattr(connection, "_prolo_prepared", None)
    if kept is None or kept[0] is not raw:
        kept = (raw, set())
        connection._prolo_prepared = kept  # type: ignore[attr-defined]
    return kept[1]


def execute(cursor: Any, name: str, sql: str, params: Sequence[Any]) -> None:
    """Run `sql` (the driver's `%s` placeholders) with `params` on `cursor` (Django's), as the
    statement `name` prepared once per connection on PostgreSQL. `name` must be unique per SQL:
    the module and shape that wrote it (e.g. "calendar_rows_10")."""
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    names = _prepared_names()
    statement = f"prolo_{name}"
    if statement not in names:
        with connection.wrap_database_errors:  # Django's errors, as for any query
            cursor.cursor.execute(f"PREPARE {statement} AS {_numbered(sql)}")
        names.add(statement)
    placeholders = f" ({', '.join(['%s'] * len(params))})" if params else ""
    cursor.execute(f"{_GENERIC}; EXECUTE {statement}{placeholders}", params)
