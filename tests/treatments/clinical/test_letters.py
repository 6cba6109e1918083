"""The letter to the referring doctor: the practitioner's opening, the record's facts, print-ready,
for clinicians only, and nothing stored."""

import pytest
import time_machine

from clinic.models import AuditEntry
from tests.factories import PractitionerFactory
from tests.treatments.factories_practice import NOW, OutcomeScoreFactory, series_with_sessions
from treatments.models import SessionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def series(practitioner_user):
    me = PractitionerFactory(user=practitioner_user, display_name="Dr Maya Patel")
    series = series_with_sessions(practitioner=me, pains=[8, 6, 4], planned=5)
    OutcomeScoreFactory(series=series, value=62, recorded_at=NOW)
    return series


def url(series) -> str:
    return f"/practice/series/{series.pk}/letter/"


def test_the_letter_opens_with_a_suggested_opening_and_the_records_facts(practitioner_client, series):
    response = practitioner_client.get(url(series))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Thank you for referring {series.patient.full_name}" in html
    letter = html[html.index('class="letter-page"') :]
    assert "Knee OA — Rabago 2013" in letter
    assert "3 of 5 planned sessions given" in letter
    assert "Pain (0-10) was 8 at the start and 4 most recently." in letter
    assert letter.count("Intra-articular") == 3 + 3 + 3  # the sessions table, the chart (placed by region), its list
    assert "WOMAC total 62" in letter
    assert 'class="pain-chart' in letter and "Injection sites across the series" in letter
    assert "Dr Maya Patel" in letter and "css/letter.css" in html


def test_the_practitioner_edits_the_opening_and_nothing_is_stored(practitioner_client, series):
    before = SessionRecord.objects.count()
    data = {
        "kind": "referral",
        "recipient": "Dr Jones",
        "address": "12 High Street\nSpringfield",
        "opening": "Thank you for seeing Mrs Ada.\n\nShe would benefit from a review.",
    }
    response = practitioner_client.post(url(series), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dear Dr Jones," in html and "12 High Street<br>Springfield" in html
    assert "<p>Thank you for seeing Mrs Ada.</p>" in html and "Referral:" in html
    assert "The letter is ready" in html
    assert SessionRecord.objects.count() == before
    assert AuditEntry.objects.filter(action="export", patient_id=series.patient_id).exists()


def test_the_letter_escapes_what_is_typed(practitioner_client, series):
    data = {"kind": "progress", "recipient": "<script>x</script>", "opening": "<b>hi</b>"}
    html = practitioner_client.post(url(series), data).content.decode()
    assert "<script>x</script>" not in html and "&lt;b&gt;hi&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "progress", "recipient": "", "opening": "Hello"}, "This field is required"),
        ({"kind": "progress", "recipient": "Dr J", "opening": ""}, "This field is required"),
        ({"kind": "poem", "recipient": "Dr J", "opening": "Hi"}, "Select a valid choice"),
        ({"kind": "progress", "recipient": "Dr J", "opening": "x" * 3001}, "at most 3000"),
    ],
)
def test_a_bad_letter_form_says_what_is_wrong(practitioner_client, series, data, message):
    response = practitioner_client.post(url(series), data)
    assert response.status_code == 400 and message in response.content.decode()


def test_the_desk_cannot_write_letters(desk_client, series):
    assert desk_client.get(url(series)).status_code == 403


def test_a_missing_series_is_404(practitioner_client, series):
    assert practitioner_client.get("/practice/series/999999/letter/").status_code == 404


def test_the_summary_links_to_the_letter(practitioner_client, series):
    assert url(series) in practitioner_client.get(f"/practice/series/{series.pk}/summary/").content.decode()


def test_a_condition_named_after_a_person_keeps_its_capitals_in_the_opening(practitioner_client, series):
    series.protocol.condition_label = "Osgood-Schlatter disease"
    series.protocol.save(update_fields=["condition_label"])
    html = practitioner_client.get(url(series)).content.decode()
    assert "with prolotherapy for Osgood-Schlatter disease." in html
    assert "osgood-schlatter disease" not in html


def test_a_common_condition_is_lower_case_inside_the_sentence(practitioner_client, series):
    assert "with prolotherapy for knee osteoarthritis." in practitioner_client.get(url(series)).content.decode()
