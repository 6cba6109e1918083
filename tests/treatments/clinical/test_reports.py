"""The clinic admin's reports and their CSV export."""

import csv
import datetime as dt
import io

import pytest
import time_machine

from tests.factories import PractitionerFactory
from tests.treatments.factories_practice import (
    NOW,
    AdverseEventFactory,
    OutcomeScoreFactory,
    PainCheckInFactory,
    series_with_sessions,
)
from treatments.clinical.selectors.reports import (
    Period,
    adverse_events_by_kind,
    pain_change_by_protocol,
    sessions_per_month,
)

pytestmark = pytest.mark.django_db

PERIOD = Period.months(dt.date(2026, 1, 1), dt.date(2026, 4, 1))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clinic():
    """Two practitioners: A's series (8 -> 6 -> 4 and 6 -> 5, check-in 4 after its 2nd session),
    B's one session with two adverse events."""
    a = PractitionerFactory(display_name="Dr A")
    b = PractitionerFactory(display_name="Dr B")
    first = dt.datetime(2026, 2, 3, 16, 0, tzinfo=dt.UTC)
    one = series_with_sessions(practitioner=a, pains=[8, 6, 4], first=first)
    two = series_with_sessions(practitioner=a, pains=[6, 5], first=first + dt.timedelta(days=1))
    PainCheckInFactory(series=two, pain=4, created_at=first + dt.timedelta(days=40))
    OutcomeScoreFactory(series=one, value=60, recorded_at=first)
    OutcomeScoreFactory(series=one, value=40, recorded_at=first + dt.timedelta(days=60))
    three = series_with_sessions(practitioner=b, pains=[5], first=first)
    record = three.appointments.get().record
    AdverseEventFactory(record=record, kind="vasovagal")
    AdverseEventFactory(record=record, kind="bleeding")
    return a, b


def test_sessions_are_counted_per_practitioner_per_month(clinic):
    rows = [(r["practitioner"], r["month"].strftime("%Y-%m"), r["sessions"]) for r in sessions_per_month(PERIOD)]
    assert rows == [("Dr A", "2026-02", 2), ("Dr A", "2026-03", 3), ("Dr B", "2026-02", 1)]


def test_adverse_events_are_counted_by_type(clinic):
    table, signed = adverse_events_by_kind(PERIOD)
    assert {r["kind"]: r["events"] for r in table} == {"vasovagal": 1, "bleeding": 1, "severe_pain": 0, "other": 0}
    assert signed == 6


def test_mean_pain_change_after_one_two_and_three_sessions(clinic):
    (row,) = pain_change_by_protocol(PERIOD)
    assert row["protocol"] == "Knee OA — Rabago 2013" and row["series"] == 3
    after = row["buckets"]
    # after 1: 6-8 and 5-6 (series three has nothing after its only session) -> -1.5
    assert (after["1"]["n"], after["1"]["mean"]) == (2, -1.5)
    # after 2: 4-8 (next session) and 4-6 (check-in after the last session) -> -3.0
    assert (after["2"]["n"], after["2"]["mean"]) == (2, -3.0)
    assert after["3+"]["n"] == 0
    assert after["1"]["published"] == "0.65" and after["2"]["published"] == "0.84"
    assert (row["womac_n"], row["womac_mean"], row["womac_published"]) == (1, 20.0, "15.3")


def test_anonymous_visitor_is_sent_to_login(client):
    assert client.get("/practice/reports/")["Location"].startswith("/accounts/login/")


def test_the_desk_may_not_open_reports(desk_client):
    assert desk_client.get("/practice/reports/").status_code == 403


def test_a_practitioner_may_not_open_reports(practitioner_client):
    assert practitioner_client.get("/practice/reports/").status_code == 403
    assert practitioner_client.get("/practice/reports/sessions.csv").status_code == 403


def test_the_report_page_shows_the_tables_beside_the_published_figures(
    admin_client_, clinic, django_assert_max_num_queries
):
    # 16, + the clinic admin's two-factor device and the lockout notice in the layout.
    with django_assert_max_num_queries(18):
        response = admin_client_.get("/practice/reports/?start=2026-01&end=2026-04")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dr A" in html and "2026-03" in html
    assert "Vasovagal (fainting)" in html
    assert "0.65" in html and "15.3 dextrose; 7.6 saline; 8.2 exercise" in html
    assert "/practice/reports/pain-change.csv?start=2026-01&amp;end=2026-04" in html


def test_the_default_period_is_the_last_twelve_months(admin_client_, clinic):
    html = admin_client_.get("/practice/reports/").content.decode()
    assert 'value="2025-05"' in html and 'value="2026-04"' in html and "Dr B" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-04&end=2026-01", "must not be before"),
        ("start=2020-01&end=2026-01", "at most 36 months"),
        ("start=April&end=2026-01", "Enter a valid date"),
    ],
)
def test_a_bad_period_shows_a_message(admin_client_, query, message):
    response = admin_client_.get(f"/practice/reports/?{query}")
    assert response.status_code == 400 and message in response.content.decode()


@pytest.mark.parametrize(
    ("table", "header", "rows"),
    [
        ("sessions", ["practitioner", "month", "signed_sessions"], 3),
        ("adverse-events", ["kind", "events", "sessions_with_event", "signed_sessions"], 4),
        (
            "pain-change",
            ["protocol", "series", "after_sessions", "n", "mean_nrs_change", "effect_size", "hung_2016"],
            3,
        ),
    ],
)
def test_csv_export(admin_client_, clinic, table, header, rows):
    response = admin_client_.get(f"/practice/reports/{table}.csv?start=2026-01&end=2026-04")
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == header and len(lines) == rows + 1


def test_an_unknown_export_is_404(admin_client_):
    assert admin_client_.get("/practice/reports/patients.csv").status_code == 404
