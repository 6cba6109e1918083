"""Small reads that every page makes, written by the ORM once per database and then run with each
call's own values: building a QuerySet, compiling it and converting its rows costs Django about
0.3 ms a query, more than PostgreSQL takes to answer a lookup by key, and a desk page makes half a
dozen of them (the clinic's settings, the red-flag count, the locations, the setup's token, the
day's closures and screening flags).

`CompiledRead(build, **stand_ins)`: `build(**stand_ins)` returns the QuerySet (values_list); each
stand-in is a value the query's parameters would not otherwise hold (a negative id, a date in
2001, a list of one negative id for `clinic.id_lists.among`). Its compiled
parameters are matched to the stand-ins by the driver's form of each (a datetime as the backend
adapts it, a list as `id_lists.id_param` sends it, a `Prefix` as `startswith` sends it: LIKE's
pattern, or a range's two ends on SQLite); `rows(**values)` passes the call's values in
their places, every other parameter (a status, a constant) as the ORM wrote it, and converts the
rows as the ORM would (e.g. SQLite's booleans and times). A query whose stand-ins cannot all be
found in its parameters is refused when first compiled, so a read can never run with a
stand-in left in it.

`driver_typed=True` says the query's columns already come from PostgreSQL's driver as the ORM would
give them (ints of bigint columns, text, booleans), so its rows are not converted again there: the
ORM's int() of a typed NULL or a COUNT subquery cost a busy day's money badges 0.6 ms for nothing.
Leave it off for a column the ORM must convert (a SUM, which PostgreSQL gives as numeric; JSON).

`rewrite(sql, params)` changes the ORM's compiled SQL once, before the stand-ins are found in its
parameters: what the ORM cannot write (the calendars' LATERAL join on PostgreSQL), its parameters in
their places among the others."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from clinic.id_lists import id_param

_NOT_MADE = object()


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple  # (a stand-in's name, how its form is made), or (value,) kept as the ORM wrote it
    converters: dict


class Prefix(str):
    """A text that a field starts with (`_prefix` in patients.selectors: `startswith` on PostgreSQL,
    a range on SQLite), as a stand-in and as the call's value: the query holds it as the ORM wrote
    it, `LIKE 'text%'` with its wildcards escaped, or the range's two ends."""


def _driver_forms(value: Any) -> list[tuple[Any, Callable[[Any], Any]]]:
    """Each form the query's parameters may hold of `value`, with how to make it of the call's
    value (the same for a stand-in and a real value)."""
    if isinstance(value, Prefix):
        if connection.vendor == "sqlite":  # the range: from the text to the text and the last character
            return [(str(value), str), (f"{value}\U0010ffff", lambda v: f"{v}\U0010ffff")]
        like = connection.ops.prep_for_like_query
        return [(f"{like(value)}%", lambda v: f"{like(v)}%")]
    return [(_driver_form(value), _driver_form)]


def _driver_form(value: Any) -> Any:
    """What the query's parameters hold for `value` (the same for a stand-in and a real value)."""
    if isinstance(value, list | tuple | set | frozenset):
        return id_param(value)
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    return value


class CompiledRead:
    def __init__(
        self,
        build: Callable[..., QuerySet],
        *,
        wrap: str = "",
        driver_typed: bool = False,
        rewrite: Callable[[str, tuple], tuple[str, tuple]] | None = None,
        **stand_ins: Any,
    ) -> None:
        self.build = build
        self.rewrite = rewrite
        self.driver_typed = driver_typed
        self.stand_ins = stand_ins
        self.wrap = wrap  # e.g. "SELECT COUNT(*) FROM ({}) AS counted": the compiled SQL goes in {}
        self._statements: dict[str, _Statement] = {}

    def _statement(self) -> _Statement:
        found = self._statements.get(connection.vendor)
        if found is not None:
            return found
        queryset = self.build(**self.stand_ins)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        if self.rewrite is not None:
            sql, params = self.rewrite(sql, tuple(params))
        forms = {
            repr(form): (name, make) for name, value in self.stand_ins.items() for form, make in _driver_forms(value)
        }
        order = tuple(forms.get(repr(param), (param,)) for param in params)
        missing = set(self.stand_ins) - {found[0] for found in order if len(found) == 2}
        if missing:
            raise ValueError(f"stand-ins not found in the compiled query: {sorted(missing)}")
        columns = [column for column, _sql, _alias in compiler.select]
        typed = self.wrap or (self.driver_typed and connection.vendor == "postgresql")
        converters = {} if typed else compiler.get_converters(columns)
        found = _Statement(self.wrap.format(sql) if self.wrap else sql, order, converters)
        self._statements[connection.vendor] = found
        return found

    def rows(self, **values: Any) -> list[tuple]:
        statement = self._statement()
        made: dict[tuple, Any] = {}  # each stand-in's form made once, however often the query holds it
        params = []
        for param in statement.params:
            if len(param) == 1:
                params.append(param[0])
                continue
            form = made.get(param, _NOT_MADE)
            if form is _NOT_MADE:
                name, make = param
                form = made[param] = make(values[name])
            params.append(form)
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            rows = cursor.fetchall()
        if not statement.converters:
            return rows
        return [converted(row, statement.converters) for row in rows]


def converted(row: Sequence, converters: dict) -> tuple:
    """One raw row as the ORM gives it: each column through its converters (the compiler's
    get_converters, e.g. SQLite's booleans and times)."""
    values = list(row)
    for position, (functions, expression) in converters.items():
        for function in functions:
            values[position] = function(values[position], expression, connection)
    return tuple(values)
