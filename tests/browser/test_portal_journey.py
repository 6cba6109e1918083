"""A patient opens their link from a reminder, sees the next session, reports pain 7/10 with a
warning sign and is told to call; an expired link is a plain 404; every portal page passes axe."""

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from patients.tokens import portal_url
from tests.browser.axe_portal import assert_accessible
from tests.factories import PASSWORD, PatientFactory
from tests.treatments.factories_portal import (  # noqa: F401
    clear_cache,
    issue_link,
    patient_with_series,
    seeded_data,
)
from treatments.models import PainCheckIn

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_data", "clear_cache"),
]

NOW = dt.datetime(2027, 3, 2, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe is injected as a script; the Content-Security-Policy would block it.
    return {**browser_context_args, "bypass_csp": True, "viewport": {"width": 390, "height": 844}}


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


def _link_from_reminder(raw: str, live_server) -> str:
    """The link as a reminder e-mail carries it, pointed at the test server."""
    from django.conf import settings

    return portal_url(raw).replace(settings.SITE_URL, live_server.url)


def test_patient_sees_next_session_reports_pain_with_a_red_flag_and_is_told_to_call(
    clock, page, live_server, login, desk_user
):
    patient, series, upcoming = patient_with_series(now=NOW, steps_done=1, first_name="Maria")
    link = _link_from_reminder(issue_link(patient, now=NOW), live_server)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello Maria")
    session = page.get_by_role("article").first
    expect(session).to_contain_text("Session 2 of 3")
    expect(session.get_by_role("link", name="Add to calendar")).to_be_visible()
    expect(page.get_by_label("1 of 3 sessions done")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Report how you feel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How do you feel?")
    assert_accessible(page)
    page.get_by_text("7", exact=True).click()
    page.get_by_label("I have a fever above 38 °C (100.4 °F)").check()
    # Ticking a warning sign already says to call, before sending.
    expect(page.get_by_text("Please call us now on +1 312 555 0100.")).to_be_visible()
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Please call us now")
    expect(page.get_by_role("link", name="+1 312 555 0100")).to_be_visible()
    assert_accessible(page)
    checkin = PainCheckIn.objects.get(patient=patient)
    assert (checkin.pain, checkin.red_flags) == (7, ["fever"])

    login(desk_user.username, PASSWORD)
    page.goto(f"{live_server.url}/desk/requests/")
    alert = page.locator(f"#alert-{checkin.pk}")
    expect(alert).to_contain_text("Maria")
    expect(alert).to_contain_text("I have a fever above 38 °C")


def test_expired_link_gets_the_plain_404(clock, page, live_server):
    patient = PatientFactory()
    raw = issue_link(patient, now=NOW - dt.timedelta(days=31), days=30)
    response = page.goto(_link_from_reminder(raw, live_server))
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert patient.first_name not in page.content()
    assert_accessible(page)


def test_every_portal_page_passes_the_accessibility_audit(clock, page, live_server):
    patient, series, upcoming = patient_with_series(now=NOW, steps_done=2)
    raw = issue_link(patient, now=NOW)
    base = f"{live_server.url}/portal/{raw}"
    soon_patient, _, soon = patient_with_series(now=NOW, next_in_days=0)
    soon.start = NOW + dt.timedelta(hours=3)
    soon.end = soon.start + dt.timedelta(minutes=30)
    soon.save()
    soon_raw = issue_link(soon_patient, now=NOW)
    pages = [
        f"{base}/",
        f"{base}/sessions/{upcoming.pk}/before/",
        f"{base}/sessions/{upcoming.pk}/confirm/",
        f"{base}/sessions/{upcoming.pk}/cancel/",
        f"{live_server.url}/portal/{soon_raw}/sessions/{soon.pk}/cancel/",
        f"{base}/checkin/",
        f"{base}/aftercare/",
        f"{base}/aftercare/print/",
    ]
    for url in pages:
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)

    # Pages with errors shown, and the thank-you pages.
    page.goto(f"{base}/sessions/{upcoming.pk}/before/")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("alert")).to_contain_text("Please answer yes or no.")
    assert_accessible(page)
    for group in page.get_by_role("group").all():
        group.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status")).to_contain_text("Your answers have reached the clinic.")
    assert_accessible(page)

    page.goto(f"{base}/checkin/")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_contain_text("Please choose a number from 0 to 10.")
    assert_accessible(page)
    page.get_by_text("2", exact=True).click()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert_accessible(page)

    page.goto(f"{base}/sessions/{upcoming.pk}/cancel/")
    page.get_by_role("button", name="Ask to move it").click()
    expect(page.get_by_role("status")).to_contain_text("We have your request")
    assert_accessible(page)
