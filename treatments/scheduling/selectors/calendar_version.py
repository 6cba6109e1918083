"""A cheap fingerprint of what the week of every practitioner shows, in one aggregate query: the
open week polls it and refreshes only when it changes. (The day page's version is a digest of the
rows it reads, selectors.calendar.DayReading: the day reads its rows anyway, while the week's poll
would read two thousand of them.)

It covers everything the grid shows: the setup (practitioners, hours, closures, types, rooms,
protocols: the token of clinic.setup_stamp), the appointments of the day (count, ids, latest
updated_at: every service that changes an appointment saves updated_at; a booking adds an id, a
move away removes one), their patients (names: latest updated_at), the patients' screening answers
(the flags: count and ids), and the other sessions of the series shown with the series themselves
(the spacing notes and "session n of m": count, ids and latest updated_at of every session, planned
sessions, protocol)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db.models import QuerySet

from clinic.compiled_sql import CompiledRead
from clinic.localtime import day_bounds
from clinic.models import SetupStamp
from patients.models import ConsentSignature, Intake, ScreeningAnswer
from treatments.models import Appointment, TreatmentSeries

LONGEST = dt.timedelta(hours=12)  # no appointment is longer


def appointments_between(
    start: dt.datetime, end: dt.datetime, *, earliest: dt.datetime | None = None
) -> QuerySet[Appointment]:
    """The appointments a calendar from `start` to `end` shows, bounded on `start` on both sides
    so the index on start answers it (no appointment is longer than LONGEST). `earliest`, the
    lower bound, is `start - LONGEST`: a read compiled once (clinic.compiled_sql) passes it as a
    value of its own."""
    lowest = start - LONGEST if earliest is None else earliest
    return Appointment.objects.filter(start__lt=end, start__gte=lowest, end__gt=start)


def _fingerprint_sql(day_sql: str) -> str:
    """The day's rows (with their patients' updated_at, read in the same scan) and the series
    shown with every session of theirs (one join), summed; the screening answers, intakes and
    consents of the day's patients; the setup token. Five parts, each read through an index."""
    appointment, series, stamp = Appointment._meta.db_table, TreatmentSeries._meta.db_table, SetupStamp._meta.db_table
    patients = "(SELECT patient_id FROM day)"
    parts = [
        'SELECT COUNT(*), SUM(id), MAX(updated_at), MAX("patient__updated_at") FROM day',
        f"SELECT COUNT(*), SUM(id) FROM {ScreeningAnswer._meta.db_table} WHERE patient_id IN {patients}",
        # The card's "Intake done": the form sent and the consent signed (rows only ever added).
        f"SELECT COUNT(*), SUM(id) FROM {Intake._meta.db_table} WHERE patient_id IN {patients}",
        f"SELECT COUNT(*), SUM(id) FROM {ConsentSignature._meta.db_table} WHERE patient_id IN {patients}",
        # Every session of the series shown (the spacing notes) with its series' size and protocol
        # ("session n of m"): summed per session, so a change of either changes the sum.
        f"SELECT COUNT(*), SUM(s.id), MAX(s.updated_at), SUM(t.planned_sessions), SUM(t.protocol_id) "
        f"FROM {series} t JOIN {appointment} s ON s.series_id = t.id "
        "WHERE t.id IN (SELECT series_id FROM day WHERE series_id IS NOT NULL)",
    ]
    tables = ", ".join(f"({part}) AS part{n}" for n, part in enumerate(parts))
    return (
        f"WITH day AS ({day_sql}) SELECT * FROM {tables} "
        f"LEFT JOIN (SELECT token FROM {stamp} WHERE id = 1) AS setup ON 1 = 1"
    )


# Stand-ins for the bounds, to compile each shape's statement once (clinic.compiled_sql): the ORM
# writes the day's SQL inside the fingerprint's, then each call passes its own values.
_PROBE_START = dt.datetime(2001, 2, 3, 6, 0, tzinfo=dt.UTC)
_PROBE_END = dt.datetime(2001, 2, 4, 6, 0, tzinfo=dt.UTC)


def _days_rows(start: dt.datetime, end: dt.datetime, earliest: dt.datetime) -> QuerySet[Appointment, Any]:
    """The appointments of the days, as the page and its poll read them (the fingerprint's `day`)."""
    qs = appointments_between(start, end, earliest=earliest)
    return qs.order_by().values("id", "patient_id", "series_id", "updated_at", "patient__updated_at")


_READ = CompiledRead(
    _days_rows, wrap=_fingerprint_sql("{}"), start=_PROBE_START, end=_PROBE_END, earliest=_PROBE_START - LONGEST
)


def days_version(*, first_day: dt.date, last_day: dt.date) -> str:
    """The fingerprint of the days from `first_day` to `last_day` (the week of every practitioner)."""
    start, end = day_bounds(first_day, last_day)
    [row] = _READ.rows(start=start, end=end, earliest=start - LONGEST)
    return hashlib.blake2b(repr(row).encode(), digest_size=8).hexdigest()
