"""Two-factor sign-in for staff: required for the clinic admin (set up before anything else),
optional for the others; TOTP codes from an app, single-use recovery codes, throttled guessing."""

import datetime as dt
import re
import subprocess
import sys
from base64 import b32decode

import pytest
import time_machine
from axes.models import AccessFailureLog
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.clinic.test_settings import ROOT
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
LOGIN = "/accounts/login/"
SETUP = "/accounts/two-factor/set-up/"
VERIFY = "/accounts/two-factor/verify/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _log_in(client, username: str, **extra):
    return client.post(LOGIN, {"username": username, "password": PASSWORD, **extra})


def _code(key_hex: str, *, steps_ahead: int = 0) -> str:
    return f"{totp(bytes.fromhex(key_hex), drift=steps_ahead):06d}"


def _set_up(client) -> tuple[str, str]:
    """Open the set-up page, read the key the way a person types it, answer with the app's code."""
    page = client.get(SETUP).content.decode()
    key_text = re.search(r'id="totp-key"[^>]*>([A-Z2-7 ]+)<', page).group(1)
    key_hex = b32decode(key_text.replace(" ", "")).hex()
    signed = re.search(r'name="setup" value="([^"]+)"', page).group(1)
    response = client.post(SETUP, {"setup": signed, "code": _code(key_hex)})
    return key_hex, response.content.decode()


def _user_with_two_factor(client, user) -> str:
    """`user` has set up two-factor sign-in (in another session); returns the key."""
    other = Client()
    other.force_login(user)
    key_hex, _ = _set_up(other)
    return key_hex


# The clinic admin: set up before anything else


def test_the_clinic_admin_is_sent_to_set_up_two_factor_before_any_staff_page(client, admin_user):
    response = _log_in(client, "boss", next="/desk/patients/")
    for path in ["/desk/patients/", "/desk/", "/practice/reports/", "/admin/", "/messages/"]:
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, SETUP), path
    # Public pages and logging out stay open.
    assert client.get("/education/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_the_set_up_page_shows_a_qr_code_and_the_key_and_stores_nothing(client, admin_user):
    _log_in(client, "boss")
    page = client.get(SETUP).content.decode()
    assert "The clinic asks you to sign in with a second step" in page
    assert '<img class="two-factor-qr" src="data:image/svg+xml' in page
    assert re.search(r'id="totp-key"[^>]*>([A-Z2-7]{4} ){7}[A-Z2-7]{4}<', page)
    assert not TOTPDevice.objects.exists()


def test_setting_up_with_the_apps_code_turns_it_on_and_shows_ten_recovery_codes_once(client, admin_user):
    _log_in(client, "boss")
    key_hex, page = _set_up(client)
    assert "Two-factor sign-in is on." in page
    assert len(re.findall(r"<li><code>[a-z2-7]{4}-[a-z2-7]{4}</code></li>", page)) == 10
    device = TOTPDevice.objects.get(user=admin_user)
    assert device.confirmed and device.key == key_hex
    assert StaticToken.objects.filter(device__user=admin_user).count() == 10
    # This session has passed the second step: the desk opens.
    assert client.get("/desk/").status_code == 200


def test_before_the_second_step_the_layout_shows_no_staff_navigation_or_notices(client, admin_user):
    AccessFailureLog.objects.create(username="desk", ip_address="203.0.113.66", attempt_time=T0, locked_out=True)
    _log_in(client, "boss")
    page = client.get(SETUP).content.decode()
    assert 'href="/desk/patients/"' not in page and 'href="/admin/"' not in page
    assert "Sign-in lockouts" not in page
    assert "Log out" in page


def test_a_wrong_code_at_set_up_turns_nothing_on(client, admin_user):
    _log_in(client, "boss")
    page = client.get(SETUP).content.decode()
    signed = re.search(r'name="setup" value="([^"]+)"', page).group(1)
    response = client.post(SETUP, {"setup": signed, "code": "000000"})
    assert response.status_code == 400
    assert "That code does not match" in response.content.decode()
    assert not TOTPDevice.objects.exists()


def test_a_forged_or_stale_set_up_key_is_refused(client, admin_user, clock):
    _log_in(client, "boss")
    page = client.get(SETUP).content.decode()
    signed = re.search(r'name="setup" value="([^"]+)"', page).group(1)
    assert client.post(SETUP, {"setup": signed[:-2] + "xx", "code": "123456"})["Location"] == SETUP
    clock.shift(dt.timedelta(minutes=16))
    assert client.post(SETUP, {"setup": signed, "code": "123456"})["Location"] == SETUP
    assert not TOTPDevice.objects.exists()


# Signing in with a code


def test_signing_in_asks_for_the_code_then_goes_where_the_user_was_going(client, admin_user, clock):
    key_hex = _user_with_two_factor(client, admin_user)
    clock.shift(dt.timedelta(seconds=60))
    _log_in(client, "boss")
    response = client.get("/desk/patients/")
    assert response["Location"] == f"{VERIFY}?next=%2Fdesk%2Fpatients%2F"
    assert "Enter your code" in client.get(response["Location"]).content.decode()
    key_before = client.session.session_key
    response = client.post(VERIFY, {"code": _code(key_hex), "next": "/desk/patients/"})
    assert response["Location"] == "/desk/patients/"
    assert client.session.session_key != key_before
    assert client.get("/desk/patients/").status_code == 200


def test_a_wrong_code_is_refused_and_then_the_next_try_must_wait(client, admin_user, clock):
    key_hex = _user_with_two_factor(client, admin_user)
    clock.shift(dt.timedelta(seconds=60))
    _log_in(client, "boss")
    response = client.post(VERIFY, {"code": "000000"})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    # Even the right code waits out the delay django-otp doubles after each wrong one.
    response = client.post(VERIFY, {"code": _code(key_hex)})
    assert "Too many wrong codes" in response.content.decode()
    clock.shift(dt.timedelta(seconds=2))
    assert client.post(VERIFY, {"code": _code(key_hex), "next": "/desk/"})["Location"] == "/desk/"


def test_a_code_cannot_be_used_twice(client, admin_user, clock):
    key_hex = _user_with_two_factor(client, admin_user)
    clock.shift(dt.timedelta(seconds=60))
    code = _code(key_hex)
    first, second = Client(), Client()
    for c in (first, second):
        _log_in(c, "boss")
    assert first.post(VERIFY, {"code": code, "next": "/desk/"}).status_code == 302
    assert second.post(VERIFY, {"code": code}).status_code == 400


def test_a_recovery_code_signs_in_once(client, admin_user, clock):
    other = Client()
    other.force_login(admin_user)
    _, page = _set_up(other)
    recovery = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", page)[0]
    _log_in(client, "boss")
    response = client.post(VERIFY, {"code": recovery.upper(), "next": "/desk/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/desk/"
    assert "You used a recovery code; 9 are left." in response.content.decode()
    again = Client()
    _log_in(again, "boss")
    clock.shift(dt.timedelta(seconds=5))
    assert again.post(VERIFY, {"code": recovery}).status_code == 400


def test_with_the_requirement_off_the_clinic_admin_signs_in_with_the_password(client, admin_user, settings):
    settings.ADMIN_2FA_REQUIRED = False
    response = _log_in(client, "boss")
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == "/desk/"


def test_a_password_alone_cannot_replace_the_phone(client, admin_user):
    _user_with_two_factor(client, admin_user)
    _log_in(client, "boss")
    assert client.get(SETUP)["Location"].startswith(VERIFY)
    assert client.get("/accounts/two-factor/")["Location"].startswith(VERIFY)


def test_the_clinic_admin_cannot_turn_it_off(admin_client_):
    response = admin_client_.post("/accounts/two-factor/turn-off/", {"code": "123456"}, follow=True)
    assert "Clinic admins must keep two-factor sign-in on" in response.content.decode()
    assert TOTPDevice.objects.exists()


# Other staff: optional, per user


def test_the_front_desk_signs_in_without_a_code_until_they_turn_it_on(client, desk_user, clock):
    response = _log_in(client, "desk")
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == "/desk/"
    page = client.get("/accounts/two-factor/").content.decode()
    assert "Off: you sign in with your password alone." in page
    key_hex, page = _set_up(client)
    assert "Two-factor sign-in is on." in page
    client.post("/accounts/logout/")
    clock.shift(dt.timedelta(seconds=60))
    _log_in(client, "desk")
    assert client.get("/desk/")["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": _code(key_hex)})
    assert "10 recovery codes left." in client.get("/accounts/two-factor/").content.decode()


def test_turning_it_off_needs_a_current_code(client, desk_user, clock):
    client.force_login(desk_user)
    key_hex, _ = _set_up(client)
    clock.shift(dt.timedelta(seconds=60))
    response = client.post("/accounts/two-factor/turn-off/", {"code": "000000"}, follow=True)
    assert "still on" in response.content.decode()
    clock.shift(dt.timedelta(seconds=5))
    response = client.post("/accounts/two-factor/turn-off/", {"code": _code(key_hex)}, follow=True)
    assert "Two-factor sign-in is off." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=desk_user).exists()
    assert not StaticToken.objects.filter(device__user=desk_user).exists()


def test_new_recovery_codes_replace_the_old_ones(client, desk_user):
    client.force_login(desk_user)
    _, page = _set_up(client)
    old = set(re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", page))
    page = client.post("/accounts/two-factor/recovery-codes/").content.decode()
    new = set(re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", page))
    assert len(new) == 10 and not old & new
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert stored == {code.replace("-", "") for code in new}


# Setup: a lost phone


def test_the_clinic_admin_can_remove_a_colleagues_lost_phone_but_never_read_its_secret(admin_client_, desk_user):
    key_hex = _user_with_two_factor(Client(), desk_user)
    device = TOTPDevice.objects.get(user=desk_user)
    response = admin_client_.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert response.status_code == 200 and "Authenticator app" in response.content.decode()
    assert key_hex not in response.content.decode()
    assert admin_client_.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    admin_client_.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert not TOTPDevice.objects.filter(user=desk_user).exists()
    # The colleague signs in with the password again (and may set up the new phone).
    desk = Client()
    response = _log_in(desk, "desk")
    assert desk.get(response["Location"], follow=True).redirect_chain[-1][0] == "/desk/"


def test_make_run_lets_the_demo_admin_in_with_the_password_and_production_requires_the_code():
    def setting(module: str) -> str:
        code = "import django; django.setup(); from django.conf import settings; print(settings.ADMIN_2FA_REQUIRED)"
        env = {"DJANGO_SETTINGS_MODULE": module, "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "clinic.example.com"}
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env={**env, "PATH": ""}, capture_output=True, text=True
        )
        return result.stdout.strip() or result.stderr

    assert setting("clinic.settings.local") == "False"
    assert setting("clinic.settings.production") == "True"
