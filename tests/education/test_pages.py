import datetime as dt

import pytest

from education.models import Page
from treatments.models import Protocol

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clinic_row():
    """The clinic's settings row exists in a running clinic; query counts assume it."""
    from clinic.models import ClinicSettings

    return ClinicSettings.load()


CONDITION_PAGES = [
    "chronic-low-back-pain",
    "knee-osteoarthritis",
    "tendon-injuries",
    "ligament-sprains",
    "shoulder-instability",
    "sacroiliac-joint-dysfunction",
]


def test_every_protocol_links_to_a_published_aftercare_guide():
    slugs = set(Protocol.objects.values_list("aftercare_slug", flat=True))
    published = set(Page.objects.filter(status="published").values_list("slug", flat=True))
    assert slugs <= published
    assert "aftercare-osgood-schlatter" in slugs


def test_the_seeded_site_has_a_page_per_condition_and_the_general_topics():
    published = set(Page.objects.filter(status="published").values_list("slug", flat=True))
    for slug in [*CONDITION_PAGES, "what-is-prolotherapy", "what-a-series-is-like", "safety-and-candidates"]:
        assert slug in published
    for slug in ["preparing-for-a-session", "aftercare", "faq"]:
        assert slug in published


def test_index_lists_the_sections_with_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get("/education/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Knee osteoarthritis" in text
    assert "Is prolotherapy right for me?" in text


def test_knee_page_shows_text_and_who_reviewed_it_when(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get("/education/knee-osteoarthritis/")
    text = response.content.decode()
    assert "<h1>Knee osteoarthritis</h1>" in text
    assert "Last reviewed on 1 November 2026 by Prolo content team." in text


def test_what_is_prolotherapy_explains_it_is_the_opposite_of_cortisone(client):
    text = client.get("/education/what-is-prolotherapy/").content.decode()
    assert "cortisone" in text
    assert "on\npurpose" in text or "on purpose" in text


def test_aftercare_page_puts_red_flags_and_the_clinic_phone_first(client, settings):
    from clinic.models import ClinicSettings

    clinic = ClinicSettings.load()
    clinic.phone = "+1 312 555 0199"
    clinic.save()
    text = client.get("/education/aftercare-knee-oa/").content.decode()
    flags_at = text.index("Call us at once if you notice any of these")
    assert text.index("+1 312 555 0199") > flags_at
    assert flags_at < text.index("What is normal, day by day") < text.index("Looking after the knee")
    assert "A fever above 38 °C (100.4 °F)." in text
    assert "Days 1 to 3" in text


def test_spine_aftercare_adds_the_spine_warning_signs(client):
    back = client.get("/education/aftercare-low-back/").content.decode()
    knee = client.get("/education/aftercare-knee-oa/").content.decode()
    assert "shortness of breath" in back
    assert "shortness of breath" not in knee


def test_aftercare_timeline_follows_the_clinic_settings(client):
    from clinic.models import ClinicSettings

    clinic = ClinicSettings.load()
    clinic.nsaid_avoid_days_after = 14
    clinic.ice_policy = "brief"
    clinic.save()
    text = client.get("/education/aftercare/").content.decode()
    assert "for 14 days after the session" in text
    assert "Short spells of ice are fine" in text


def test_print_sheet_has_the_red_flags_and_phone_and_only_exists_for_aftercare(client):
    response = client.get("/education/aftercare-achilles/print/")
    assert response.status_code == 200
    assert "Call us at once" in response.content.decode()
    assert client.get("/education/faq/print/").status_code == 404


def test_drafts_are_invisible_to_the_public(client):
    Page.objects.create(title="Secret draft", slug="secret-draft", body="unfinished words", status="draft")
    assert client.get("/education/secret-draft/").status_code == 404
    assert "Secret draft" not in client.get("/education/").content.decode()
    assert "Secret draft" not in client.get("/education/search/?q=unfinished").content.decode()


def test_unknown_page_is_404(client):
    assert client.get("/education/no-such-page/").status_code == 404


def test_search_finds_pages_by_any_word_in_the_text(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get("/education/search/?q=achilles")
    text = response.content.decode()
    assert "Tendon problems" in text
    assert "Aftercare for the Achilles tendon" in text
    assert "Knee osteoarthritis</a>" not in text


def test_search_needs_every_word(client):
    text = client.get("/education/search/?q=tennis+knee+zzzz").content.decode()
    assert "0 pages found" in text


def test_over_long_search_is_refused_with_a_message(client):
    response = client.get("/education/search/?q=" + "a" * 101)
    assert response.status_code == 400
    assert "Please use at most 100 characters." in response.content.decode()


def test_page_body_is_sanitised_when_shown(client):
    Page.objects.create(
        title="Bad",
        slug="bad",
        body="Hi <script>alert(1)</script> [x](javascript:alert(2)) <iframe src=//evil></iframe>",
        status="published",
        reviewed_by="Dr A",
        reviewed_on=dt.date(2026, 1, 1),
    )
    text = client.get("/education/bad/").content.decode()
    assert "alert(" not in text
    assert "<iframe" not in text


def test_a_page_cannot_be_published_without_a_review():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Page.objects.create(title="X", slug="x", body="b", status="published")


def test_every_link_inside_the_seeded_pages_leads_somewhere(client):
    import re

    seen = set()
    for slug in Page.objects.filter(status="published").values_list("slug", flat=True):
        text = client.get(f"/education/{slug}/").content.decode()
        body = text[text.index('<div class="page-body">') :]
        seen.update(re.findall(r'href="(/(?:education|consult)/[^"]*)"', body))
    assert "/education/aftercare-knee-oa/" in seen
    for url in sorted(seen):
        assert client.get(url).status_code == 200, url
