"""Passkeys in the browser, under the site's real Content-Security-Policy, with Chromium's virtual
authenticator (Chrome DevTools Protocol) standing in for a phone or a fingerprint reader: a member
of the front desk whom the clinic asks for a second step adds a passkey at the first sign-in, signs
out, and signs in with password + passkey to reach the desk. Then the same pages are axe-clean."""

from urllib.parse import urlsplit

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from tests.browser.axe_portal import assert_accessible
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def passkey_site(settings, live_server):
    """Every staff role must use a second step; passkeys are bound to the live server's host."""
    settings.STAFF_2FA_REQUIRED = True
    settings.OTP_WEBAUTHN_RP_ID = urlsplit(live_server.url).hostname
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    return live_server


def _virtual_authenticator(page) -> dict:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return {"cdp": cdp, "id": authenticator["authenticatorId"]}


def _stored_passkeys(authenticator: dict) -> list:
    return authenticator["cdp"].send("WebAuthn.getCredentials", {"authenticatorId": authenticator["id"]})["credentials"]


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_desk_member_adds_a_passkey_then_signs_in_with_password_and_passkey(page, desk_user, passkey_site):
    base = passkey_site.url
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    authenticator = _virtual_authenticator(page)

    _log_in(page, base, desk_user.username)
    expect(page).to_have_url(f"{base}/accounts/two-factor/set-up/")
    page.get_by_role("button", name="Add a passkey").click()
    # The new passkey shows on the account page, and the session has passed its second step.
    expect(page).to_have_url(f"{base}/accounts/two-factor/")
    expect(page.locator("#passkey-list").get_by_role("listitem")).to_have_count(1)
    expect(page.get_by_text("On: you sign in with your password and a second step.")).to_be_visible()
    assert WebAuthnCredential.objects.filter(user=desk_user, confirmed=True).count() == 1
    assert len(_stored_passkeys(authenticator)) == 1

    page.get_by_role("button", name="Log out").click()
    _log_in(page, base, desk_user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Use your passkey")
    # Nothing else opens before the second step.
    page.goto(f"{base}/desk/patients/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Use your passkey")
    page.get_by_role("button", name="Use a passkey").click()
    expect(page).to_have_url(f"{base}/desk/patients/")
    page.goto(f"{base}/desk/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Day calendar")
    assert WebAuthnCredential.objects.get(user=desk_user).last_used_at is not None
    assert csp_errors == []


def test_the_passkey_pages_are_accessible(browser, desk_user, passkey_site):
    base = passkey_site.url
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script
    page = context.new_page()
    authenticator = _virtual_authenticator(page)
    _log_in(page, base, desk_user.username)
    expect(page.get_by_role("button", name="Add a passkey")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.locator("#passkey-list").get_by_role("listitem")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("button", name="Log out").click()
    _log_in(page, base, desk_user.username)
    expect(page.get_by_role("button", name="Use a passkey")).to_be_visible()
    assert_accessible(page)
    assert len(_stored_passkeys(authenticator)) == 1
    context.close()
