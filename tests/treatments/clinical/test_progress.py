"""Series progress: sessions side by side, the pain chart and its table, flags, scores, summary."""

import datetime as dt
import re

import pytest
import time_machine

from clinic.models import AuditEntry
from tests.factories import PractitionerFactory
from tests.treatments.factories_practice import (
    NOW,
    OutcomeScoreFactory,
    PainCheckInFactory,
    series_appointment,
    series_with_sessions,
)
from treatments.clinical.charts import ChartPoint, pain_chart
from treatments.clinical.selectors.records import series_progress
from treatments.models import OutcomeScore

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def me(practitioner_user):
    return PractitionerFactory(user=practitioner_user)


def url(series, tail="") -> str:
    return f"/practice/series/{series.pk}/{tail}"


def test_improved_when_pain_is_two_points_below_baseline():
    progress = series_progress(series_with_sessions(pains=[7, 6, 5]))
    assert (progress.baseline, progress.latest, progress.improved, progress.needs_review) == (7, 5, True, False)


def test_no_better_after_two_sessions_asks_for_a_review_before_the_third():
    series = series_with_sessions(pains=[7, 6])
    progress = series_progress(series)
    assert progress.needs_review and not progress.improved
    PainCheckInFactory(series=series, pain=4)
    progress = series_progress(series)
    assert progress.improved and not progress.needs_review


def test_drafts_are_not_charted_and_checkins_are():
    series = series_with_sessions(pains=[8])
    from tests.factories import SessionRecordFactory

    SessionRecordFactory(appointment=series_appointment(series, 2, NOW), pain_before=2)
    PainCheckInFactory(series=series, pain=6, created_at=NOW - dt.timedelta(days=20))
    progress = series_progress(series)
    assert [(p.kind, p.pain) for p in progress.points] == [("session", 8), ("checkin", 6)]


def test_session_and_checkin_pain_stored_as_scores_are_not_counted_twice():
    series = series_with_sessions(pains=[8])
    OutcomeScoreFactory(series=series, measure="pain_nrs", value=6, source=OutcomeScore.Source.CHECKIN)
    OutcomeScoreFactory(series=series, measure="pain_nrs", value=5, source=OutcomeScore.Source.CLINIC)
    kinds = [p.kind for p in series_progress(series).points]
    assert kinds == ["session", "clinic"]


def test_the_chart_draws_points_baseline_and_the_meaningful_change_line():
    start = dt.date(2026, 1, 6)
    points = [
        ChartPoint(start, 8, "session", "S1"),
        ChartPoint(start + dt.timedelta(days=14), 7, "checkin"),
        ChartPoint(start + dt.timedelta(days=28), 5, "session", "S2"),
    ]
    svg = str(pain_chart(points, baseline=8, title="Pain over time"))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg
    assert svg.count('class="chart-point chart-session"') == 2 and svg.count("chart-checkin") == 1
    assert "Baseline 8" in svg and "Meaningful change: 6 or lower" in svg
    assert len(re.findall(r"<polyline", svg)) == 1
    assert "style=" not in svg and "<script" not in svg


def test_the_chart_leaves_out_a_meaningful_change_line_below_zero():
    svg = str(pain_chart([ChartPoint(dt.date(2026, 1, 6), 1, "session")], baseline=1, title="t"))
    assert "Baseline 1" in svg and "Meaningful change" not in svg


def test_anonymous_visitor_is_sent_to_login(client):
    series = series_with_sessions(pains=[7])
    assert client.get(url(series))["Location"].startswith("/accounts/login/")


def test_the_desk_guessing_clinical_urls_gets_nothing(desk_client):
    series = series_with_sessions(pains=[7, 6])
    appointment = series.appointments.first()
    for guess in (
        url(series),
        url(series, "summary/"),
        f"/practice/appointments/{appointment.pk}/record/",
        f"/practice/appointments/{appointment.pk}/record/amend/",
        "/practice/reports/",
        "/practice/reports/sessions.csv",
    ):
        response = desk_client.get(guess)
        assert response.status_code in (403, 404), guess
        assert "Intra-articular" not in response.content.decode()
    assert desk_client.post(url(series, "scores/"), {"measure": "grc", "value": "1"}).status_code in (403, 404)
    assert not AuditEntry.objects.exists()


def test_the_progress_page_shows_sessions_side_by_side_chart_and_table(practitioner_client, me):
    series = series_with_sessions(practitioner=me, pains=[8, 7])
    PainCheckInFactory(series=series, pain=7, created_at=NOW - dt.timedelta(days=3))
    response = practitioner_client.get(url(series))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="card session-column"') == 2
    assert html.count("6.5 mL") == 2  # total volume of each session
    assert "<svg" in html and "Pain over time, as a table" in html
    assert "No better after 2 sessions — review before the 3rd" in html
    assert "style=" not in html
    assert AuditEntry.objects.get().action == "view"


def test_any_clinician_may_read_a_colleagues_series(practitioner_client, me):
    series = series_with_sessions(pains=[8])
    assert practitioner_client.get(url(series)).status_code == 200


def test_a_missing_series_is_404(practitioner_client, me):
    assert practitioner_client.get("/practice/series/424242/").status_code == 404


@pytest.mark.parametrize("sessions", [3, 12])
def test_the_progress_page_takes_a_fixed_number_of_queries(
    practitioner_client, me, sessions, django_assert_max_num_queries
):
    series = series_with_sessions(
        practitioner=me, pains=[8 - n % 4 for n in range(sessions)], first=NOW - dt.timedelta(days=7 * sessions)
    )
    for n in range(sessions):
        PainCheckInFactory(series=series, pain=5, created_at=NOW - dt.timedelta(days=n))
    OutcomeScoreFactory(series=series)
    with django_assert_max_num_queries(19):
        response = practitioner_client.get(url(series))
    assert response.content.decode().count('class="card session-column"') == sessions


def test_adding_a_score_shows_it_on_the_page(practitioner_client, me):
    series = series_with_sessions(practitioner=me, pains=[8])
    response = practitioner_client.post(
        url(series, "scores/"), {"measure": "womac", "value": "42.5", "recorded_on": "2026-04-10"}
    )
    assert response.status_code == 302
    html = practitioner_client.get(url(series)).content.decode()
    assert "The score is added." in html and "WOMAC total" in html and "42.5" in html
    score = series.scores.get()
    assert score.recorded_at == dt.datetime(2026, 4, 10, 17, 0, tzinfo=dt.UTC)  # noon in Chicago


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"measure": "pain_nrs", "value": "11", "recorded_on": "2026-04-10"}, "goes from 0 to 10"),
        ({"measure": "grc", "value": "-9", "recorded_on": "2026-04-10"}, "goes from -7 to 7"),
        ({"measure": "odi", "value": "x", "recorded_on": "2026-04-10"}, "Enter a number"),
        ({"measure": "odi", "value": "20", "recorded_on": "2026-05-30"}, "cannot be dated in the future"),
    ],
)
def test_a_bad_score_shows_a_message_and_saves_nothing(practitioner_client, me, data, message):
    series = series_with_sessions(practitioner=me, pains=[8])
    response = practitioner_client.post(url(series, "scores/"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not series.scores.exists()


def test_the_printable_summary_fits_the_essentials(practitioner_client, me, django_assert_max_num_queries):
    series = series_with_sessions(practitioner=me, pains=[8, 6, 5])
    with django_assert_max_num_queries(19):
        response = practitioner_client.get(url(series, "summary/"))
    html = response.content.decode()
    assert "Prolotherapy treatment summary" in html
    assert "3 of 3 planned" in html and "8 at baseline, 5 most recently" in html
    assert "Improved" in html and "Signature" in html
    assert "/static/css/practice.css" in html
