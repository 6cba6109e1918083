"""Passkeys (django-otp-webauthn) as a second factor: the gate treats a confirmed passkey like the
authenticator app, the second step and the set-up page open only the ceremonies they need, and
a person sees and removes their own passkeys. The ceremonies themselves run in Chromium's virtual
authenticator (tests/browser/test_passkey_journey.py)."""

import json
import os
import re

import pytest
import time_machine
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from clinic.settings.base import _passkey_site
from clinic.two_factor import two_factor_disable
from tests.clinic.test_two_factor import SETUP, T0, VERIFY, _log_in, _user_with_two_factor
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

MANAGE = "/accounts/two-factor/"
CEREMONY = "/accounts/two-factor/passkeys/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _passkey(user, **extra) -> WebAuthnCredential:
    return WebAuthnCredential.objects.create(
        user=user,
        name="",
        credential_id=os.urandom(32),
        public_key=b"not-used-here",
        aaguid="00000000-0000-0000-0000-000000000000",
        confirmed=True,
        **extra,
    )


def _passed_with(client, device) -> None:
    """What a finished passkey ceremony leaves in the session (the browser journey does it for real)."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _json_post(client, path: str, body: object = None):
    return client.post(path, json.dumps(body or {}), content_type="application/json")


# The gate


def test_an_account_with_only_a_passkey_must_use_it_before_any_staff_page(client, desk_user):
    _passkey(desk_user)
    _log_in(client, "desk")
    response = client.get("/desk/patients/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{VERIFY}?next=")
    page = client.get(VERIFY).content.decode()
    assert "Use your passkey" in page
    assert 'id="passkey-verification-button"' in page
    assert 'name="code"' not in page  # no app: no code to type
    # The sign-in ceremony is open to this session; adding another passkey is not.
    begin = _json_post(client, f"{CEREMONY}authentication/begin/")
    assert begin.status_code == 200
    assert begin.json()["challenge"]
    assert [c["id"] for c in begin.json()["allowCredentials"]]  # only this person's passkeys are offered
    refused = _json_post(client, f"{CEREMONY}registration/begin/")
    assert refused.status_code == 302 and refused["Location"].startswith(VERIFY)


def test_a_session_that_used_a_passkey_is_through_the_gate(client, desk_user):
    passkey = _passkey(desk_user)
    _log_in(client, "desk")
    _passed_with(client, passkey)
    assert client.get("/desk/patients/").status_code == 200
    assert client.get(VERIFY)["Location"] == "/"  # nothing left to do there


def test_someone_elses_passkey_in_the_session_passes_nothing(client, desk_user, practitioner_user):
    _passkey(desk_user)
    _log_in(client, "desk")
    _passed_with(client, _passkey(practitioner_user))
    assert client.get("/desk/patients/")["Location"].startswith(VERIFY)


def test_when_every_role_must_use_a_second_step_a_passkey_can_be_the_first(client, desk_user, settings):
    settings.STAFF_2FA_REQUIRED = True
    _log_in(client, "desk")
    assert client.get("/desk/")["Location"] == SETUP
    page = client.get(SETUP).content.decode()
    assert "Or use a passkey" in page and 'id="passkey-register-button"' in page
    begin = _json_post(client, f"{CEREMONY}registration/begin/")
    assert begin.status_code == 200
    assert begin.json()["rp"]["id"] == settings.OTP_WEBAUTHN_RP_ID
    assert client.get(f"{CEREMONY}jsi18n/").status_code == 200
    # Not the sign-in ceremony: there is nothing to sign in with yet.
    assert _json_post(client, f"{CEREMONY}authentication/begin/")["Location"] == SETUP


def test_with_the_app_and_a_passkey_both_are_offered_at_the_second_step(client, desk_user, clock):
    _user_with_two_factor(client, desk_user)
    _passkey(desk_user)
    _log_in(client, "desk")
    page = client.get(VERIFY).content.decode()
    assert "Enter your code" in page
    assert 'id="passkey-verification-button"' in page and 'name="code"' in page


def test_the_set_up_and_sign_in_pages_load_passkey_scripts_from_our_own_host_only(client, desk_user, settings):
    settings.STAFF_2FA_REQUIRED = True
    _log_in(client, "desk")
    page = client.get(SETUP).content.decode()
    tags = re.findall(r"<script([^>]*)>", page)
    sources = [re.search(r'src="([^"]+)"', tag).group(1) for tag in tags if "src=" in tag]
    assert all(source.startswith("/") and not source.startswith("//") for source in sources)
    # Every script without a source is the library's settings as data, never code (the CSP has no
    # 'unsafe-inline' for scripts).
    assert [tag.strip() for tag in tags if "src=" not in tag] == ['id="otp_webauthn_config" type="application/json"']
    assert "/static/django_otp_webauthn/otp_webauthn_register.js" in page
    assert "/static/js/passkeys.js" in page


def test_a_garbled_ceremony_answer_is_a_clear_refusal_not_a_server_error(client, desk_user):
    _passkey(desk_user)
    _log_in(client, "desk")
    no_begin = _json_post(client, f"{CEREMONY}authentication/complete/", {"id": "x"})
    assert no_begin.status_code == 400 and no_begin.json()["detail"]
    _json_post(client, f"{CEREMONY}authentication/begin/")
    garbled = _json_post(client, f"{CEREMONY}authentication/complete/", {"id": "x", "rawId": "??"})
    assert 400 <= garbled.status_code < 500 and garbled.json()["detail"]
    not_json = client.post(f"{CEREMONY}authentication/complete/", "{", content_type="application/json")
    assert not_json.status_code == 400
    assert client.get("/desk/patients/")["Location"].startswith(VERIFY)  # still not through


# One's own passkeys


def test_the_account_page_lists_ones_own_passkeys_in_few_queries(client, desk_user, django_assert_max_num_queries):
    first = _passkey(desk_user)
    for _ in range(4):
        _passkey(desk_user)
    _passkey(_other := desk_user.__class__.objects.create_user("other", password=PASSWORD))
    _log_in(client, "desk")
    _passed_with(client, first)
    client.get(MANAGE)
    with django_assert_max_num_queries(16):
        page = client.get(MANAGE).content.decode()
    assert page.count("Passkey added 2 Mar 2026") == 5
    assert "Not used yet" in page


def test_removing_ones_own_passkey(client, desk_user, settings):
    keep, remove = _passkey(desk_user), _passkey(desk_user)
    _log_in(client, "desk")
    _passed_with(client, keep)
    response = client.post(f"{CEREMONY}{remove.pk}/remove/", follow=True)
    assert "The passkey is removed" in response.content.decode()
    assert list(WebAuthnCredential.objects.filter(user=desk_user)) == [keep]


def test_anothers_passkey_cannot_be_removed(client, desk_user, practitioner_user):
    mine, theirs = _passkey(desk_user), _passkey(practitioner_user)
    _log_in(client, "desk")
    _passed_with(client, mine)
    assert client.post(f"{CEREMONY}{theirs.pk}/remove/").status_code == 404
    assert client.post(f"{CEREMONY}999999/remove/").status_code == 404
    assert client.get(f"{CEREMONY}{mine.pk}/remove/").status_code == 405
    assert WebAuthnCredential.objects.count() == 2


def test_the_last_way_to_sign_in_cannot_be_removed_when_the_clinic_requires_one(client, desk_user, settings):
    settings.STAFF_2FA_REQUIRED = True
    only = _passkey(desk_user)
    _log_in(client, "desk")
    _passed_with(client, only)
    response = client.post(f"{CEREMONY}{only.pk}/remove/", follow=True)
    assert "You must keep one way to pass the second step" in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=only.pk).exists()


def test_removing_needs_a_staff_role(client, no_role_user, desk_user):
    passkey = _passkey(desk_user)
    assert client.post(f"{CEREMONY}{passkey.pk}/remove/")["Location"].startswith("/accounts/login/")
    other = Client()
    other.force_login(no_role_user)
    assert other.post(f"{CEREMONY}{passkey.pk}/remove/").status_code == 403
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()


def test_turning_two_factor_off_removes_the_passkeys_too(desk_user):
    _passkey(desk_user)
    TOTPDevice.objects.create(user=desk_user, name="app", confirmed=True)
    two_factor_disable(user=desk_user)
    assert not WebAuthnCredential.objects.filter(user=desk_user).exists()
    assert not StaticDevice.objects.filter(user=desk_user).exists()


# The relying party


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        ("https://clinic.example.org", ("clinic.example.org", "https://clinic.example.org")),
        ("https://clinic.example.org:8443", ("clinic.example.org", "https://clinic.example.org:8443")),
        ("http://127.0.0.1:8000", ("localhost", "http://localhost:8000")),
        ("http://[::1]:8000", ("localhost", "http://localhost:8000")),
    ],
)
def test_the_relying_party_comes_from_the_site_url(site_url, expected):
    assert _passkey_site(site_url) == expected


def test_the_clinic_admin_can_remove_a_colleagues_lost_passkey_but_not_add_one(admin_client_, desk_user):
    passkey = _passkey(desk_user)
    page = admin_client_.get(f"/admin/django_otp_webauthn/webauthncredential/{passkey.pk}/change/")
    assert page.status_code == 200 and "desk" in page.content.decode()
    assert passkey.public_key.hex() not in page.content.decode()
    assert admin_client_.get("/admin/django_otp_webauthn/webauthncredential/add/").status_code == 403
    admin_client_.post(f"/admin/django_otp_webauthn/webauthncredential/{passkey.pk}/delete/", {"post": "yes"})
    assert not WebAuthnCredential.objects.filter(user=desk_user).exists()
    # The colleague signs in with the password again, and may add a new passkey.
    desk = Client()
    _log_in(desk, "desk")
    assert desk.get("/desk/").status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_removing_the_last_two_passkeys_at_once_leave_one(desk_user, settings):
    from clinic.passkeys import passkey_remove
    from clinic.two_factor import TwoFactorError
    from tests.concurrency import race

    settings.STAFF_2FA_REQUIRED = True
    pks = iter([_passkey(desk_user).pk, _passkey(desk_user).pk])
    outcomes = race(2, lambda: passkey_remove(user=desk_user, pk=next(pks)))
    assert sorted(type(o).__name__ for o in outcomes) == ["NoneType", "TwoFactorError"]
    assert all(not isinstance(o, Exception) or isinstance(o, TwoFactorError) for o in outcomes)
    assert WebAuthnCredential.objects.filter(user=desk_user).count() == 1
