"""Admin lists that stay usable at a million rows (the audit log): a count that stops counting,
list filters whose values are read from an index, and a date hierarchy that probes the index on
the date instead of reading every row.

- `CappedCountPaginator`: the number of rows matching, counted up to ten pages past the page
  asked for and never past CAP (a `COUNT(*)` over the whole table costs as much as reading it,
  and a filter matching one row in ten reads ten rows for each one counted); past that the list
  says "more than" and offers the pages counted, each step further counting ten pages more. The
  pages stop at CAP (a deeper page would also read every row before it: the filters and the
  date hierarchy narrow the list instead).
- `DistinctFromIndex`: a list filter offering the column's values, found one by one through the
  index that leads with the column (a "loose index scan": one probe per distinct value); the
  list's filters of this kind read in one statement.
- The date hierarchy: clinic/indexed_dates.py (the model's QuerySet answers it by index probes)."""

from __future__ import annotations

from typing import cast

from django.contrib import admin
from django.contrib.admin.views.main import PAGE_VAR
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

CAP = 5_000


class CappedCountPaginator(Paginator):
    cap = CAP
    pages_ahead = 10

    def __init__(self, *args, page: int = 1, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.page_asked = max(1, page)

    @cached_property
    def counted_up_to(self) -> int:
        """How far the count goes: ten pages past the page asked for, at most CAP."""
        return min(self.cap, (self.page_asked + self.pages_ahead) * self.per_page)

    @cached_property
    def count(self) -> int:
        """At most counted_up_to + 1, which means "more than that" (so said by the list's pagination)."""
        queryset = cast(QuerySet, self.object_list)  # the admin pages a QuerySet
        return queryset.order_by()[: self.counted_up_to + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.counted_up_to

    @cached_property
    def num_pages(self) -> int:
        return super().num_pages if not self.capped else max(1, self.counted_up_to // self.per_page)


def page_asked(request) -> int:
    """The change list's page number (its `p`), as the admin reads it: 1 when not a number."""
    try:
        return int(request.GET.get(PAGE_VAR, 1))
    except ValueError:
        return 1


class DistinctFromIndex(admin.SimpleListFilter):
    """Subclass with `title` and `parameter_name` (the column). The values of every such filter
    of the list are read in one statement, once per request."""

    def lookups(self, request, model_admin):
        kinds = [f for f in model_admin.list_filter if isinstance(f, type) and issubclass(f, DistinctFromIndex)]
        columns = [kind.parameter_name for kind in kinds]
        key = (model_admin.model, tuple(columns))
        found = request.__dict__.setdefault("_distinct_from_index", {})
        if key not in found:
            found[key] = distinct_values(model_admin.model, columns)
        return [(value, value) for value in found[key][self.parameter_name]]

    def queryset(self, _request, queryset):
        value = self.value()
        return queryset.filter(**{self.parameter_name: value}) if value else queryset


def distinct_values(model, columns: list[str], limit: int = 200) -> dict[str, list[str]]:
    """Each column's distinct values in order, read through its index: each next value is the
    smallest one above the last (one index probe each), up to `limit` of them; all the columns
    in one statement."""
    quote = connections["default"].ops.quote_name
    table = quote(model._meta.db_table)
    walks, picks = [], []
    for n, column in enumerate(columns):
        name = quote(model._meta.get_field(column).column)
        walks.append(
            f"found{n}(value, n) AS ("
            f"SELECT MIN({name}), 1 FROM {table} "
            f"UNION ALL SELECT (SELECT MIN({name}) FROM {table} WHERE {name} > found{n}.value), n + 1 "
            f"FROM found{n} WHERE found{n}.value IS NOT NULL AND n < %s)"
        )
        picks.append(f"SELECT {n}, n, value FROM found{n} WHERE value IS NOT NULL")
    sql = f"WITH RECURSIVE {', '.join(walks)} {' UNION ALL '.join(picks)} ORDER BY 1, 2"
    values: dict[str, list[str]] = {column: [] for column in columns}
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, [limit] * len(columns))
        for n, _step, value in cursor.fetchall():
            values[columns[n]].append(value)
    return values
