from clinic.models import ClinicSettings
from education.rendering import render_markdown


def test_scripts_are_removed_with_their_content():
    html = render_markdown("Hello <script>alert('x')</script> there")
    assert "<script" not in html
    assert "alert" not in html
    assert "Hello" in html


def test_iframes_are_removed():
    html = render_markdown('Look <iframe src="https://evil.example/"></iframe> here')
    assert "iframe" not in html
    assert "evil.example" not in html


def test_javascript_links_lose_their_target():
    html = render_markdown('[click me](javascript:alert(1)) and <a href="JavaScript:alert(2)">two</a>')
    assert "javascript" not in html.lower()
    assert "click me" in html


def test_event_handler_attributes_are_removed():
    html = render_markdown('<p onclick="steal()">text</p><img src=x onerror="steal()">')
    assert "steal" not in html
    assert "onclick" not in html


def test_markdown_becomes_headings_lists_and_safe_links():
    html = render_markdown("# Title\n\n## Part\n\n- one\n- two\n\n[Aftercare](/education/aftercare/)")
    # The page title is the only h1: body headings start at h2.
    assert "<h1>" not in html
    assert "<h2>Title</h2>" in html
    assert "<li>one</li>" in html
    assert 'href="/education/aftercare/"' in html


def test_clinic_settings_fill_the_placeholders_escaped(db):
    clinic = ClinicSettings.load()
    clinic.phone = "+1 312 <b>555</b>"
    clinic.nsaid_pause_days_before = 10
    html = render_markdown("Call [[clinic_phone]]; stop [[nsaid_days_before]] days before.", clinic=clinic)
    assert "stop 10 days before" in html
    assert "<b>" not in html
    assert "&lt;b&gt;555" in html


def test_nsaids_for_the_whole_course_when_the_clinic_sets_zero_days(db):
    clinic = ClinicSettings.load()
    clinic.nsaid_avoid_days_after = 0
    html = render_markdown("Avoid them for [[nsaid_days_after]] days.", clinic=clinic)
    assert "the whole course of treatment" in html
