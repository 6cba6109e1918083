"""The one way to write a CSV file anyone downloads (reports now, billing's exports later): every
cell that a spreadsheet would read as a formula is escaped. A text cell starting with = + - @ (or a
tab or carriage return, which some spreadsheets skip before looking) gets a leading apostrophe, so a
name such as `=HYPERLINK(...)` typed into a form is shown as text, never run (OWASP "CSV
Injection"). Numbers are written as numbers."""

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def csv_cell(value: object) -> object:
    """The value as it may go into a CSV cell: a formula-looking text escaped, anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_write(stream: _Writable, rows: Iterable[Iterable[object]]) -> None:
    """Write `rows` to `stream` (a file, or an HttpResponse), every cell through `csv_cell`."""
    writer = csv.writer(stream)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
