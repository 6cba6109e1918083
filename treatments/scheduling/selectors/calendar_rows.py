"""The calendars' appointments as plain rows: one query of values per calendar (no model
instance), compiled once per shape, with each series session's previous live session for its
spacing and whether the patient's intake is done, both read in the same query through indexes.
The type's and room's names come from the setup the calendar has read (no join for them).

On PostgreSQL the previous live session is one LATERAL join (its start and step in one probe of
the index); the ORM writes no LATERAL, so its SQL gets that join put in before its WHERE, with the
two columns named by the join. SQLite has no LATERAL: two scalar subqueries there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import BaseExpression, RawSQL
from django.db.models.functions import Cast

from clinic.compiled_sql import CompiledRead
from clinic.models import Practitioner
from patients.selectors_intake import intake_done_expression
from treatments.models import Appointment
from treatments.scheduling.selectors.calendar_setup import CalendarSetup
from treatments.scheduling.selectors.calendar_version import LONGEST, appointments_between

# What a calendar reads of each appointment, in this order: one query of plain values. On
# PostgreSQL the three moments (start, end, previous_start) come as microseconds since the epoch
# (MOMENT_FIELDS): a whole number the driver reads and the day's version digests faster than a
# time, made a time once per distinct value (card_rows; a busy day's cards share a few dozen).
ROW_FIELDS = (
    "id",
    "patient_id",
    "practitioner_id",
    "location_id",
    "appointment_type_id",
    "room_id",
    "series_id",
    "series_step",
    "start",
    "end",
    "status",
    "patient_confirmed",  # whether the patient confirmed (the card's badge), not when
    "patient__first_name",
    "patient__last_name",
    "series__planned_sessions",
    "series__protocol_id",
    "intake_done",
    "previous_start",
    "previous_step",
    # Not shown: billing's badges on the card change with no appointment changing, and billing
    # bumps the patient's updated_at when they do (treatments.hooks), so the day's version
    # (selectors.calendar.DayReading) changes with them. As text: only compared, never read.
    "patient_stamp",
)


class CardRow:
    """An appointment as the calendar shows it, from one row of plain values (no model instance):
    the ids, times and status, the patient's name, its series' size and protocol, whether the
    intake is done, and its series' previous live session (for the spacing); the type's and
    room's names from the setup."""

    __slots__ = (
        "pk",
        "patient_id",
        "practitioner_id",
        "location_id",
        "appointment_type_id",
        "room_id",
        "series_id",
        "series_step",
        "start",
        "end",
        "status",
        "patient_confirmed",
        "first_name",
        "last_name",
        "type_name",
        "room_name",
        "planned_sessions",
        "protocol_id",
        "intake_done",
        "previous_start",
        "previous_step",
        "patient_stamp",
    )

    def __init__(self, values: tuple, setup: CalendarSetup, moment: Callable[[Any], Any]) -> None:
        (
            self.pk,
            self.patient_id,
            self.practitioner_id,
            self.location_id,
            self.appointment_type_id,
            self.room_id,
            self.series_id,
            self.series_step,
            self.start,
            self.end,
            self.status,
            self.patient_confirmed,
            self.first_name,
            self.last_name,
            self.planned_sessions,
            self.protocol_id,
            self.intake_done,
            self.previous_start,
            self.previous_step,
            self.patient_stamp,
        ) = values
        self.start, self.end, self.previous_start = moment(self.start), moment(self.end), moment(self.previous_start)
        self.type_name = setup.type_names.get(self.appointment_type_id, "")
        self.room_name = setup.room_names.get(self.room_id, "") if self.room_id is not None else ""

    @property
    def id(self) -> int:
        return self.pk

    @property
    def is_live(self) -> bool:
        return self.status in Appointment.LIVE_STATUSES

    @property
    def full_name(self) -> str:  # as Patient.full_name
        return f"{self.first_name} {self.last_name}"


def _rows_queryset(
    start: dt.datetime,
    end: dt.datetime,
    earliest: dt.datetime,
    practitioner_id: int | None,
    location_id: int | None,
    lateral: bool,
) -> QuerySet[Appointment, tuple[Any, ...]]:
    qs = appointments_between(start, end, earliest=earliest)
    if practitioner_id is not None:
        qs = qs.filter(practitioner_id=practitioner_id)
    if location_id is not None:
        qs = qs.filter(location_id=location_id)
    # intake_done: the patient sent the intake form and signed the consent (the card's badge); the
    # previous live session of the series (by step, as rules.spacing pairs them) for the spacing:
    # both in this same query, read through the indexes (one live session per series step).
    previous_start: BaseExpression
    previous_step: BaseExpression
    fields: tuple[str, ...] = ROW_FIELDS
    if lateral:  # the columns of the join _with_previous_join puts in (_PREVIOUS)
        previous_start = RawSQL(_micros(f'"{_PREVIOUS_ALIAS}"."start"'), (), output_field=BigIntegerField())
        previous_step = RawSQL(f'"{_PREVIOUS_ALIAS}"."series_step"', (), output_field=IntegerField())
        table = Appointment._meta.db_table
        qs = qs.annotate(
            start_us=RawSQL(_micros(f'"{table}"."start"'), (), output_field=BigIntegerField()),
            end_us=RawSQL(_micros(f'"{table}"."end"'), (), output_field=BigIntegerField()),
        )
        fields = tuple(MOMENT_FIELDS.get(name, name) for name in ROW_FIELDS)
    else:
        previous = Appointment.objects.filter(
            series_id=OuterRef("series_id"),
            series_step__lt=OuterRef("series_step"),
            status__in=Appointment.LIVE_STATUSES,
        ).order_by("-series_step")
        previous_start = Subquery(previous.values("start")[:1])
        previous_step = Subquery(previous.values("series_step")[:1])
    return (
        qs.annotate(
            patient_confirmed=ExpressionWrapper(Q(patient_confirmed_at__isnull=False), output_field=BooleanField()),
            patient_stamp=Cast("patient__updated_at", output_field=CharField()),
            intake_done=intake_done_expression(),
            previous_start=previous_start,
            previous_step=previous_step,
        )
        .order_by("start", "id")
        .values_list(*fields)
    )


PATIENT_ID = ROW_FIELDS.index("patient_id")  # the column a row's patient is read from
MOMENT_FIELDS = {"start": "start_us", "end": "end_us"}  # previous_start: its expression above
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _micros(column: str) -> str:
    """A timestamptz column as whole microseconds since the epoch (PostgreSQL's EXTRACT is exact)."""
    return f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint"


_PREVIOUS_ALIAS = "previous_live"
_TABLE = Appointment._meta.db_table
# The series' previous live session of each row: one probe of the index on (series, step) of the
# live sessions, newest step first.
_PREVIOUS = (
    f'LEFT JOIN LATERAL (SELECT p."start", p."series_step" FROM "{_TABLE}" p '
    f'WHERE p."series_id" = "{_TABLE}"."series_id" AND p."series_step" < "{_TABLE}"."series_step" '
    f'AND p."status" IN ({", ".join(["%s"] * len(Appointment.LIVE_STATUSES))}) '
    f'ORDER BY p."series_step" DESC LIMIT 1) "{_PREVIOUS_ALIAS}" ON TRUE'
)


def _with_previous_join(sql: str, params: tuple) -> tuple[str, tuple]:
    """The ORM's SQL with _PREVIOUS put in before its WHERE (the last one: the subqueries of its
    select list come before FROM), and the join's parameters in their place among the others;
    PostgreSQL only (SQLite reads the two subqueries the ORM wrote)."""
    if connection.vendor != "postgresql":
        return sql, params
    at = sql.rindex(" WHERE ")
    assert "SELECT" not in sql[at:], "the outer query's WHERE, after every subquery"
    before = sql[:at].count("%s")
    return (
        f"{sql[:at]} {_PREVIOUS}{sql[at:]}",
        (*params[:before], *Appointment.LIVE_STATUSES, *params[before:]),
    )


# Stand-ins for the bounds and ids, to compile each shape's statement once (clinic.compiled_sql):
# the ORM writes the SQL, then each call passes its own values in the stand-ins' places.
_PROBE_START = dt.datetime(2001, 2, 3, 6, 0, tzinfo=dt.UTC)
_PROBE_END = dt.datetime(2001, 2, 4, 6, 0, tzinfo=dt.UTC)


def _read(by_practitioner: bool, by_location: bool) -> CompiledRead:
    """The read of one shape: with or without a practitioner, with or without a location."""
    stand_ins: dict[str, Any] = {"start": _PROBE_START, "end": _PROBE_END, "earliest": _PROBE_START - LONGEST}
    if by_practitioner:
        stand_ins["practitioner"] = -7001
    if by_location:
        stand_ins["location"] = -7002

    def build(
        start: dt.datetime,
        end: dt.datetime,
        earliest: dt.datetime,
        practitioner: int | None = None,
        location: int | None = None,
    ) -> QuerySet[Appointment, tuple[Any, ...]]:
        lateral = connection.vendor == "postgresql"
        return _rows_queryset(start, end, earliest, practitioner, location, lateral)

    # The driver gives every value its type on PostgreSQL (ints, aware datetimes, booleans).
    return CompiledRead(build, driver_typed=True, rewrite=_with_previous_join, **stand_ins)


_READS = {(p, loc): _read(p, loc) for p in (False, True) for loc in (False, True)}


def read_rows(
    start: dt.datetime, end: dt.datetime, *, practitioner_id: int | None = None, location_id: int | None = None
) -> list[tuple]:
    """The calendar's appointments as tuples of ROW_FIELDS, in one query compiled once per shape."""
    values: dict[str, Any] = {"start": start, "end": end, "earliest": start - LONGEST}
    if practitioner_id is not None:
        values["practitioner"] = practitioner_id
    if location_id is not None:
        values["location"] = location_id
    return _READS[(practitioner_id is not None, location_id is not None)].rows(**values)


def card_rows(rows: list[tuple], setup: CalendarSetup) -> list[CardRow]:
    """The rows read (read_rows) as the cards show them, with their types' and rooms' names and
    their moments as times (each distinct one made once)."""
    moments: dict[int, dt.datetime] = {}

    def moment(value: Any) -> Any:
        if type(value) is not int:
            return value  # None, or a time already (SQLite: the ORM converted it)
        found = moments.get(value)
        if found is None:
            found = moments[value] = _EPOCH + dt.timedelta(microseconds=value)
        return found

    return [CardRow(row, setup, moment) for row in rows]


def appointment_rows(
    start: dt.datetime,
    end: dt.datetime,
    practitioner: Practitioner | None,
    setup: CalendarSetup,
    location_id: int | None = None,
) -> list[CardRow]:
    """The calendar's appointments as plain rows, in one query compiled once per shape; the names
    of their types and rooms from `setup`."""
    rows = read_rows(start, end, practitioner_id=practitioner.pk if practitioner else None, location_id=location_id)
    return card_rows(rows, setup)
