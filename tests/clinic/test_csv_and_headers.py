"""Smaller holes (issue 20, item 5): the one CSV writer escapes formulas in every cell, and every
response says no page may use the camera, microphone, location and the like."""

import csv
import io

import pytest

from clinic.csv_cells import csv_response


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6 1234", "'+31 6 1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("Zoë Łukasiewicz", "Zoë Łukasiewicz"),
        ("", ""),
    ],
)
def test_every_text_cell_that_a_spreadsheet_would_run_is_escaped(cell, written):
    response = csv_response([["name", "n"], [cell, -3]], filename="x.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1] == [written, "-3"]  # numbers stay numbers


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/education/", "/accounts/login/", "/book/", "/admin/login/"])
def test_every_page_sends_a_permissions_policy(client, path):
    policy = client.get(path)["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


@pytest.mark.django_db
def test_the_permissions_policy_names_no_feature_chromium_does_not_know(client):
    """Chromium logged "Error with Permissions-Policy header: Unrecognized feature: 'bluetooth'" in
    the console of every page: no browser enforces that name, so it is not sent."""
    policy = client.get("/accounts/login/")["Permissions-Policy"]
    assert "bluetooth" not in policy
    assert "usb=()" in policy and "serial=()" in policy
