"""Letters, summaries and charts read signed records only, and every signed session's sites are
placed on the body chart (issue 19, item 2): a draft dated tomorrow, with both knees on a
right-side series, stays off the letter, and signed sessions typed without a point are placed by
their region and side instead of "(not placed on the chart)"."""

import datetime as dt

import pytest
import time_machine

from tests.factories import PractitionerFactory, SessionRecordFactory
from tests.treatments.factories_practice import NOW, InjectionSiteFactory, series_appointment, series_with_sessions
from treatments.clinical import bodychart

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def series(practitioner_user):
    me = PractitionerFactory(user=practitioner_user, display_name="Dr Maya Patel")
    # Sessions 1-2 signed, their sites typed without a point (region Knee, side right).
    series = series_with_sessions(practitioner=me, pains=[8, 6], planned=3, side="right")
    draft_day = series_appointment(series, 3, NOW + dt.timedelta(days=1))
    draft = SessionRecordFactory(appointment=draft_day, pain_before=2)
    for x, side in ((50, "right"), (70, "left")):
        InjectionSiteFactory(
            record=draft, side=side, structure="Draft site", chart_view="front", chart_x=x, chart_y=150
        )
    return series


def _chart(html: str) -> str:
    return html[html.index("Injection sites across the series") :]


@pytest.mark.parametrize("path", ["letter/", ""])
def test_the_letter_summary_and_progress_chart_only_signed_sessions_every_site_placed(
    practitioner_client, series, path
):
    html = practitioner_client.get(f"/practice/series/{series.pk}/{path}").content.decode()

    chart = _chart(html)
    assert "Draft site" not in chart and "Session 3" not in chart
    assert "not placed on the chart" not in chart
    assert chart.count('class="bc-mark') == 4  # two sites in each signed session
    assert "Session 1: Knee — Intra-articular (placed by its region)" in chart
    knee = next(s for s in bodychart.SHAPES if s.view == "front" and s.region == "Knee" and s.side == "right")
    assert f'cx="{knee.cx}"' in chart


def test_the_letter_and_the_summary_list_the_signed_sessions_and_not_the_draft(practitioner_client, series):
    html = practitioner_client.get(f"/practice/series/{series.pk}/letter/").content.decode()
    letter = html[html.index('class="letter-page"') :]
    summary = practitioner_client.get(f"/practice/series/{series.pk}/summary/").content.decode()

    assert "2 of 3 planned sessions given" in letter
    assert "Draft site" not in letter and "Draft site" not in summary


def test_a_site_whose_region_is_not_on_the_map_is_still_listed_as_not_placed():
    from types import SimpleNamespace

    site = SimpleNamespace(region="Jaw", structure="", side="none", chart_view="", chart_x=None, chart_y=None)
    column = SimpleNamespace(
        appointment=SimpleNamespace(series_step=1, series=SimpleNamespace(side="none")), sites=[site], signed=True
    )

    chart = bodychart.series_body_chart([column])

    assert chart["marks"] == [] and chart["unplaced"] == ["Session 1: Jaw"]


def test_a_signed_site_on_both_sides_typed_without_a_point_is_placed_on_both_sides():
    from types import SimpleNamespace

    site = SimpleNamespace(region="Knee", structure="", side="both", chart_view="", chart_x=None, chart_y=None)
    column = SimpleNamespace(
        appointment=SimpleNamespace(series_step=1, series=SimpleNamespace(side="both")), sites=[site], signed=True
    )

    chart = bodychart.series_body_chart([column])

    knees = {(s.cx, s.cy) for s in bodychart.SHAPES if s.view == "front" and s.region == "Knee"}
    assert {(m.x, m.y) for m in chart["marks"]} == knees and len(chart["marks"]) == 2
    assert chart["unplaced"] == []
