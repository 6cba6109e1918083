"""The body chart: which region a point falls on, which points are refused, and how a record's
click and a series' sites reach the pages."""

import pytest
import time_machine

from tests.factories import PractitionerFactory
from tests.treatments.clinical.test_records_views import KNEE, payload, url
from tests.treatments.factories_practice import NOW, InjectionSiteFactory, series_appointment, series_with_sessions
from treatments.clinical import bodychart
from treatments.models import Appointment, InjectionSite, SessionRecord


def test_the_front_shows_the_patients_right_on_the_viewers_left():
    knee = bodychart.shape_at("front", 52, 152)
    assert (knee.region, knee.side) == ("Knee", "right")
    assert bodychart.shape_at("front", 68, 152).side == "left"


def test_the_back_shows_the_patients_left_on_the_viewers_left():
    joint = bodychart.shape_at("back", 52, 99)
    assert (joint.region, joint.side) == ("Sacroiliac joint", "left")
    assert bodychart.shape_at("back", 60, 81).region == "Lumbar spine"


def test_a_point_beside_the_body_is_outside_the_map():
    assert bodychart.shape_at("front", 2, 2) is None
    assert "outside the body map" in bodychart.chart_point_problem("front", 2, 2)


@pytest.mark.parametrize("view, x, y", [("front", None, 150), ("", 52, 150), ("side", 52, 150), ("front", 52, None)])
def test_half_a_point_is_refused(view, x, y):
    assert "incomplete" in bodychart.chart_point_problem(view, x, y)


def test_no_point_at_all_is_a_typed_row():
    assert bodychart.chart_point_problem("", None, None) is None


@pytest.mark.django_db
class TestOnThePages:
    @pytest.fixture(autouse=True)
    def frozen(self):
        with time_machine.travel(NOW, tick=False):
            yield

    @pytest.fixture
    def me(self, practitioner_user):
        return PractitionerFactory(user=practitioner_user, display_name="Dr Me")

    @pytest.fixture
    def series(self, me):
        return series_with_sessions(practitioner=me, pains=[8, 7], planned=5)

    @pytest.fixture
    def appointment(self, series):
        return series_appointment(series, 3, NOW, status=Appointment.Status.CHECKED_IN)

    def test_the_record_offers_the_map_with_regions_named_for_the_keyboard(self, practitioner_client, appointment):
        html = practitioner_client.get(url(appointment)).content.decode()
        assert "Body chart" in html
        assert 'aria-label="Knee, right (Front)"' in html and 'aria-label="Sacroiliac joint, left (Back)"' in html
        assert "js/bodychart.js" in html and "<script>" not in html

    def test_a_clicked_site_is_saved_with_its_point(self, practitioner_client, appointment):
        site = {**KNEE, "chart_view": "front", "chart_x": "53", "chart_y": "151"}
        response = practitioner_client.post(url(appointment), payload(sites=[site]))
        assert response.status_code == 302
        saved = InjectionSite.objects.get(record__appointment=appointment)
        assert (saved.region, saved.chart_view, saved.chart_x, saved.chart_y) == ("Knee", "front", 53, 151)
        assert "Placed on the body chart" in practitioner_client.get(url(appointment)).content.decode()

    @pytest.mark.parametrize(
        "point, message",
        [
            ({"chart_view": "front", "chart_x": "2", "chart_y": "2"}, "outside the body map"),
            ({"chart_view": "back", "chart_x": "500", "chart_y": "40"}, "outside the body map"),
            ({"chart_view": "front", "chart_x": "-3", "chart_y": "150"}, "outside the body map"),
            ({"chart_view": "front", "chart_x": "abc", "chart_y": "150"}, "incomplete"),
            ({"chart_view": "front", "chart_x": "52"}, "incomplete"),
        ],
    )
    def test_a_site_off_the_map_is_refused_and_nothing_is_saved(self, practitioner_client, appointment, point, message):
        response = practitioner_client.post(url(appointment), payload(sites=[{**KNEE, **point}], action="sign"))
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not InjectionSite.objects.filter(record__appointment=appointment).exists()
        assert not SessionRecord.objects.filter(appointment=appointment, status="signed").exists()

    def test_the_series_chart_shows_every_placed_site_by_session(self, practitioner_client, series):
        records = SessionRecord.objects.filter(appointment__series=series).order_by("appointment__start")
        first, second = list(records)
        front = {"chart_view": "front", "chart_x": 50, "chart_y": 150}
        back = {"chart_view": "back", "chart_x": 66, "chart_y": 153}
        InjectionSiteFactory(record=first, region="Knee", structure="MCL origin", **front)
        InjectionSiteFactory(record=second, region="Knee", structure="Pes anserine", **back)
        response = practitioner_client.get(f"/practice/series/{series.pk}/")
        html = response.content.decode()
        chart = html[html.index("Injection sites across the series") :]
        # The two clicked sites at their points, the four typed without one at their region (issue 19).
        assert chart.count('class="bc-mark') == 6
        assert "Session 1: Knee — MCL origin" in chart and "Session 2: Knee — Pes anserine" in chart
        assert 'cx="50" cy="150"' in chart and f'cx="{66 + bodychart.WIDTH + bodychart.GAP}" cy="153"' in chart
        assert chart.count("(placed by its region)") == 4 * 2  # each mark's title and its line in the list
        assert "not placed on the chart" not in chart

    def test_the_series_chart_costs_no_extra_query(self, practitioner_client, series, django_assert_max_num_queries):
        with django_assert_max_num_queries(30) as captured:
            practitioner_client.get(f"/practice/series/{series.pk}/")
        site_queries = [q["sql"] for q in captured.captured_queries if "injectionsite" in q["sql"].lower()]
        assert len(site_queries) == 1  # the progress selector's prefetch, shared with the chart
