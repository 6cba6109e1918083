import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_locked_out_user_sees_why(login, desk_user, live_server):
    for _ in range(4):
        page = login(desk_user.username, "not-my-password")
        expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    page = login(desk_user.username, "not-my-password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many failed logins")
    expect(page.get_by_role("alert")).to_contain_text("locked for 15 minutes")
    expect(page.get_by_role("alert")).to_contain_text("ask the clinic admin")
    # Even the right password is refused until the cool-off ends.
    page = login(desk_user.username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many failed logins")


def test_staff_member_changes_their_password_and_logs_out(login, desk_user, live_server):
    page = login(desk_user.username, PASSWORD)
    page.get_by_role("link", name=desk_user.username).click()
    page.get_by_label("Old password").fill(PASSWORD)
    page.locator("#id_new_password1").fill("a-New-pass-2026")
    page.locator("#id_new_password2").fill("a-New-pass-2026")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status").filter(has_text="Your password was changed.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    page = login(desk_user.username, "a-New-pass-2026")
    expect(page).to_have_url(f"{live_server.url}/desk/")
