"""A visitor reads the knee page and its aftercare, takes the self-check, asks for a consultation,
and the desk finds the request in its inbox; every public page passes the axe audit."""

import pytest
import time_machine
from playwright.sync_api import expect

from education.models import Page
from tests.browser.axe_portal import assert_accessible
from tests.factories import PASSWORD
from tests.treatments.factories_portal import clear_cache, seeded_data  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_data", "clear_cache"),
]


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe is injected as a script; the Content-Security-Policy would block it.
    return {**browser_context_args, "bypass_csp": True, "viewport": {"width": 390, "height": 844}}


@pytest.fixture
def clock():
    # Later than the real clock so the browser keeps the staff session cookie.
    import datetime as dt

    with time_machine.travel(dt.datetime(2027, 3, 2, 15, 0, tzinfo=dt.UTC), tick=True):
        yield


def test_visitor_reads_knee_and_aftercare_then_asks_for_a_consultation_the_desk_sees(
    clock, page, live_server, login, desk_user
):
    page.goto(f"{live_server.url}/education/")
    assert_accessible(page)
    page.get_by_role("link", name="Knee osteoarthritis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Knee osteoarthritis")
    expect(page.get_by_text("Last reviewed on 1 November 2026 by Prolo content team.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="aftercare guide for the knee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aftercare for the knee")
    expect(page.get_by_role("heading", name="Call us at once if you notice any of these")).to_be_visible()
    expect(page.get_by_role("link", name="+1 312 555 0100")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Learn").click()
    page.get_by_role("link", name="Is prolotherapy right for me? Take the short self-check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Is prolotherapy right for me?")
    # Sending it empty: every question says what is missing.
    page.get_by_role("button", name="See what this means").click()
    expect(page.get_by_role("alert")).to_contain_text("Please answer yes or no.")
    assert_accessible(page)
    answers = {"3 months or longer": "Yes"}
    for group in page.get_by_role("group").all():
        name = group.locator("legend").inner_text()
        choice = next((v for k, v in answers.items() if k in name), "No")
        group.get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="See what this means").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Prolotherapy may be worth discussing with a practitioner."
    )
    assert_accessible(page)
    page.get_by_label("Your name").fill("Ann Walker")
    page.get_by_label("E-mail address").fill("not-an-address")
    page.get_by_label("I agree that the clinic may contact me").check()
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("alert")).to_contain_text("This does not look like an e-mail address")
    assert_accessible(page)
    page.get_by_label("E-mail address").fill("ann@example.com")
    page.get_by_label("When is it best to reach you?").fill("Weekday mornings")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, we have your request")
    assert_accessible(page)

    login(desk_user.username, PASSWORD)
    page.goto(f"{live_server.url}/desk/requests/")
    request = page.get_by_role("article").filter(has_text="Ann Walker")
    expect(request).to_contain_text("ann@example.com")
    expect(request).to_contain_text("Weekday mornings")
    request.get_by_role("button", name="Mark contacted").click()
    expect(page.get_by_role("status")).to_contain_text("Ann Walker is now marked “Contacted”.")
    assert_accessible(page)


def test_every_education_page_passes_the_accessibility_audit(page, live_server):
    slugs = list(Page.objects.filter(status="published").values_list("slug", "kind"))
    assert len(slugs) >= 20
    urls = ["/education/", "/education/search/?q=knee", "/education/search/?q=" + "x" * 101]
    for slug, kind in slugs:
        urls.append(f"/education/{slug}/")
        if kind == "aftercare":
            urls.append(f"/education/{slug}/print/")
    for url in urls:
        page.goto(f"{live_server.url}{url}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
