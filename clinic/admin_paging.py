"""Admin lists that stay usable at a million rows (the audit log): a count that stops counting,
list filters whose values are read from an index, and a date hierarchy that probes the index on
the date instead of reading every row.

- `CappedCountPaginator`: the number of rows matching, counted up to CAP and no further (a
  `COUNT(*)` over the whole table costs as much as reading it); past CAP the list says "more
  than", and its pages stop there (a deeper page would also read every row before it: the
  filters and the date hierarchy narrow the list instead).
- `DistinctFromIndex`: a list filter offering the column's values, found one by one through the
  index that leads with the column (a "loose index scan": one probe per distinct value).
- The date hierarchy: clinic/indexed_dates.py (the model's QuerySet answers it by index probes)."""

from __future__ import annotations

from typing import cast

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

CAP = 5_000


class CappedCountPaginator(Paginator):
    cap = CAP

    @cached_property
    def count(self) -> int:
        """At most CAP + 1: CAP + 1 means "more than CAP" (shown so by the list's pagination)."""
        queryset = cast(QuerySet, self.object_list)  # the admin pages a QuerySet
        return queryset.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        return super().num_pages if not self.capped else max(1, self.cap // self.per_page)


class DistinctFromIndex(admin.SimpleListFilter):
    """Subclass with `title` and `parameter_name` (the column)."""

    def lookups(self, _request, model_admin):
        return [(value, value) for value in distinct_values(model_admin.model, self.parameter_name)]

    def queryset(self, _request, queryset):
        value = self.value()
        return queryset.filter(**{self.parameter_name: value}) if value else queryset


def distinct_values(model, column: str, limit: int = 200) -> list[str]:
    """The column's distinct values in order, read through its index: each next value is the
    smallest one above the last (one index probe each), up to `limit` of them."""
    table = connections["default"].ops.quote_name(model._meta.db_table)
    name = connections["default"].ops.quote_name(model._meta.get_field(column).column)
    sql = (
        f"WITH RECURSIVE found(value, n) AS ("
        f"SELECT MIN({name}), 1 FROM {table} "
        f"UNION ALL SELECT (SELECT MIN({name}) FROM {table} WHERE {name} > found.value), n + 1 "
        f"FROM found WHERE found.value IS NOT NULL AND n < %s"
        f") SELECT value FROM found WHERE value IS NOT NULL"
    )
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, [limit])
        return [row[0] for row in cursor.fetchall()]
