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
    change_by_protocol,
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


def test_change_per_protocol_has_its_count_and_spread(clinic):
    (row,) = change_by_protocol(PERIOD)
    assert row["protocol"] == "Knee OA — Rabago 2013" and row["series"] == 3
    # Pain first -> latest: 8 -> 4 and 6 -> 5; the one-session series has no change yet.
    assert (row["pain_n"], row["pain_mean"], row["pain_sd"]) == (2, -2.5, 2.1)
    # WOMAC 60 -> 40: one series with two totals, so no spread.
    assert (row["womac_n"], row["womac_mean"], row["womac_sd"]) == (1, 20.0, None)
    (context,) = row["published"]
    assert "15.3 points at 52 weeks" in context["result"] and "Rabago" in context["study"]


def test_series_started_outside_the_period_are_not_counted(clinic):
    a, _b = clinic
    before = dt.datetime(2025, 11, 4, 16, 0, tzinfo=dt.UTC)
    # Started in November, its later sessions fall in the period: not this period's cohort.
    series_with_sessions(practitioner=a, pains=[9, 9, 9, 9], first=before, interval_days=28)
    (row,) = change_by_protocol(PERIOD)
    assert row["series"] == 3 and row["pain_mean"] == -2.5


def test_the_change_table_is_one_query_however_long_the_history(clinic, django_assert_num_queries):
    a, _b = clinic
    for year in range(2015, 2025):
        series_with_sessions(
            practitioner=a, pains=[7, 3], first=dt.datetime(year, 3, 3, 16, 0, tzinfo=dt.UTC), sites_per_session=1
        )
    with django_assert_num_queries(1):
        (row,) = change_by_protocol(PERIOD)
    assert row["series"] == 3


def test_anonymous_visitor_is_sent_to_login(client):
    assert client.get("/practice/reports/")["Location"].startswith("/accounts/login/")


def test_the_desk_may_not_open_reports(desk_client):
    assert desk_client.get("/practice/reports/").status_code == 403


def test_a_practitioner_may_not_open_reports(practitioner_client):
    assert practitioner_client.get("/practice/reports/").status_code == 403
    assert practitioner_client.get("/practice/reports/sessions.csv").status_code == 403


def test_the_report_page_shows_the_clinic_figures_with_the_trials_as_context(
    admin_client_, clinic, django_assert_max_num_queries
):
    # 16, + the clinic admin's two-factor device and the lockout notice in the layout.
    with django_assert_max_num_queries(18):
        response = admin_client_.get("/practice/reports/?start=2026-01&end=2026-04")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dr A" in html and "2026-03" in html
    assert "Vasovagal (fainting)" in html
    table = html[html.index("Change per protocol in this clinic") :]
    assert "context, not a like-for-like comparison" in table
    assert "WOMAC (0-100) improved 15.3 points at 52 weeks in the dextrose group" in table
    # No between-group effect size beside a within-clinic change any more.
    assert "Effect size" not in html and "0.65" not in html
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
            [
                "protocol",
                "series",
                "pain_n",
                "pain_mean_change",
                "pain_sd",
                "womac_n",
                "womac_mean_improvement",
                "womac_sd",
                "published_within_group_context",
            ],
            1,
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


def test_a_name_that_looks_like_a_formula_is_exported_as_text(admin_client_, clinic):
    from clinic.models import Practitioner

    Practitioner.objects.filter(display_name="Dr A").update(display_name='=HYPERLINK("http://evil.example","x")')
    Practitioner.objects.filter(display_name="Dr B").update(display_name="@SUM(1+1)")

    response = admin_client_.get("/practice/reports/sessions.csv?start=2026-01&end=2026-04")

    cells = [row[0] for row in csv.reader(io.StringIO(response.content.decode()))][1:]
    assert sorted(set(cells)) == ['\'=HYPERLINK("http://evil.example","x")', "'@SUM(1+1)"]
