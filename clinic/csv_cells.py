"""CSV exports that a spreadsheet opens safely: a text cell that begins with = + - @, a tab or a
carriage return would be read as a formula (CSV injection), so it gets a leading apostrophe. One
definition for every export (the clinical reports, billing's reports and its Xero file)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text cell made inert; numbers, dates and None are written as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(rows: Iterable[Iterable[Any]], *, filename: str) -> HttpResponse:
    """An attachment of `rows`, every text cell escaped."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    csv.writer(response).writerows([safe_cell(cell) for cell in row] for row in rows)
    return response
