import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_front_desk_logs_in_and_lands_on_the_calendar(login, desk_user, live_server):
    page = login(desk_user.username, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/desk/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Day calendar")


def test_practitioner_logs_in_and_lands_on_today(login, practitioner_user, live_server):
    page = login(practitioner_user.username, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/practice/")
