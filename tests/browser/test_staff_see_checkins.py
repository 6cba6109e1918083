"""A patient reports a warning sign in the portal: the desk sees a count on Requests on every page
until someone calls back, and the practitioner's next record shows what the patient wrote."""

import pytest
from playwright.sync_api import expect

from tests.browser import test_portal_journey as portal_journey
from tests.factories import PASSWORD
from tests.treatments.factories_portal import clear_cache, issue_link, patient_with_series, seeded_data  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The portal journey's clock (a Tuesday morning, ticking), so both read the same day.
NOW, clock = portal_journey.NOW, portal_journey.clock


@pytest.mark.usefixtures("seeded_data", "clear_cache")
def test_a_warning_sign_counts_on_requests_until_called_back_and_reaches_the_next_record(
    clock, page, live_server, login, desk_user, practitioner_user
):
    patient, series, upcoming = patient_with_series(now=NOW, steps_done=1, first_name="Maria")
    series.practitioner.user = practitioner_user
    series.practitioner.save()
    page.goto(f"{live_server.url}/portal/{issue_link(patient, now=NOW)}/checkin/")
    page.get_by_text("7", exact=True).click()
    page.get_by_label("Redness, warmth or swelling around the injection is spreading").check()
    page.get_by_label("Anything you want to tell us? (optional)").fill("hot and swollen since last night")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Please call us now")
    expect(page.locator("#callback-count")).to_have_count(0)  # the patient never sees it

    login(desk_user.username, PASSWORD)
    requests = page.get_by_role("link", name="Requests")
    expect(requests).to_have_text("Requests 1 warning sign to call back")
    expect(page.locator("#callback-count")).to_be_visible()
    page.goto(f"{live_server.url}/desk/patients/")
    expect(requests).to_contain_text("1")
    requests.click()
    expect(page.get_by_text("“hot and swollen since last night”")).to_be_visible()
    page.get_by_role("button", name="Called back: mark Maria").click()
    expect(page.get_by_text("Alert marked as handled.")).to_be_visible()
    expect(page.get_by_role("link", name="Requests", exact=True)).to_be_visible()
    expect(page.locator("#callback-count")).to_have_count(0)
    page.get_by_role("button", name="Log out").click()

    login(practitioner_user.username, PASSWORD)
    page.goto(f"{live_server.url}/practice/appointments/{upcoming.pk}/record/")
    panel = page.get_by_role("region", name="Since the last session the patient reported:")
    expect(panel).to_contain_text("Pain: 7/10")
    expect(panel).to_contain_text("Redness, warmth or swelling around the injection is spreading")
    expect(panel).to_contain_text("“hot and swollen since last night”")
    expect(panel).to_contain_text("called back by desk")
