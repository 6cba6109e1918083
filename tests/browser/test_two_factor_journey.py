"""Two-factor sign-in in the browser, under the site's real Content-Security-Policy: the clinic
admin is sent to set it up at the first login, scans (here: reads) the key, keeps the recovery
codes, and signs in with a code the next time; a practitioner turns it on and off for themselves.
The codes are made in the test from the key, as an authenticator app would."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(key: bytes, steps_ahead: int = 0) -> str:
    # One step ahead (inside the one-step tolerance) when the current step's code was just used.
    return f"{totp(key, drift=steps_ahead):06d}"


@pytest.fixture
def csp_errors(page):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


def _set_up_from_the_page(page) -> tuple[bytes, str]:
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0
    key = b32decode(page.locator("#totp-key").inner_text().replace(" ", ""))
    page.get_by_label("Code from the app").fill(_code(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    return key, codes.first.inner_text()


def test_clinic_admin_sets_up_two_factor_at_first_login_then_signs_in_with_a_code(
    login, admin_user, live_server, page, csp_errors
):
    page = login(admin_user.username, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/accounts/two-factor/set-up/")
    expect(page.get_by_role("status").filter(has_text="Set one up to continue")).to_be_visible()
    # Nothing else opens first.
    page.goto(f"{live_server.url}/desk/patients/")
    expect(page).to_have_url(f"{live_server.url}/accounts/two-factor/set-up/")

    key, _recovery = _set_up_from_the_page(page)
    assert bytes.fromhex(TOTPDevice.objects.get(user=admin_user).key) == key
    page.get_by_role("link", name="I have kept them, continue").click()
    expect(page).to_have_url(f"{live_server.url}/desk/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Day calendar")

    page.get_by_role("button", name="Log out").click()
    page = login(admin_user.username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.wait_for_timeout(1100)  # the throttle after a wrong code: 1 second
    page.get_by_label("Code").fill(_code(key, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/desk/")
    assert csp_errors == []


def test_practitioner_turns_two_factor_on_and_off_for_themselves(
    login, practitioner_user, live_server, page, csp_errors
):
    page = login(practitioner_user.username, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/practice/")
    page.get_by_role("link", name=practitioner_user.username).click()
    page.get_by_role("link", name="Two-factor sign-in").click()
    expect(page.get_by_text("Off: you sign in with your password alone.")).to_be_visible()
    page.get_by_role("link", name="Set up an authenticator app").click()
    key, recovery = _set_up_from_the_page(page)
    page.get_by_role("link", name="I have kept them, continue").click()

    page.get_by_role("button", name="Log out").click()
    page = login(practitioner_user.username, PASSWORD)
    page.get_by_label("Code").fill(_code(key, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/practice/")

    page.goto(f"{live_server.url}/accounts/two-factor/")
    expect(page.get_by_text("10 recovery codes left.")).to_be_visible()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Turn off two-factor sign-in").click()
    expect(page.get_by_role("alert")).to_contain_text("still on")
    page.get_by_label("Code").fill(recovery)  # a recovery code works here too
    page.get_by_role("button", name="Turn off two-factor sign-in").click()
    expect(page.get_by_role("status").filter(has_text="Two-factor sign-in is off.")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page = login(practitioner_user.username, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/practice/")
    assert csp_errors == []
