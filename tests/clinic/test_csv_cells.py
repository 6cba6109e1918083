"""One escaper for every CSV export: a text cell a spreadsheet would read as a formula gets a
leading apostrophe; numbers and plain text are written as they are."""

import csv
import io

import pytest

from clinic.csv_cells import csv_response, safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_a_formula_start_gets_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Maria Lopez", "", "1=1", -40, 12.5, None])
def test_other_cells_are_left_alone(value):
    assert safe_cell(value) == value


def test_the_response_escapes_every_row():
    response = csv_response([["name", "amount"], ["=cmd|' /C calc'!A0", -5]], filename="x.csv")
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["name", "amount"], ["'=cmd|' /C calc'!A0", "-5"]]
