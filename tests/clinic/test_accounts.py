import datetime as dt

import pytest
import time_machine
from django.contrib.auth.hashers import check_password, make_password

from clinic.settings import base as base_settings
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
T0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)


def _log_in(client, username: str, password: str = PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def test_staff_member_logs_in_with_the_form_and_lands_on_their_home(client, desk_user):
    response = client.post(LOGIN, {"username": "desk", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/desk/"


def test_wrong_password_shows_a_clear_message_and_signs_nobody_in(client, desk_user):
    response = _log_in(client, "desk", "wrong-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get("/desk/").status_code == 302


def test_fifth_wrong_password_locks_the_account_and_says_why(client, desk_user):
    for _ in range(4):
        assert _log_in(client, "desk", "wrong-password").status_code == 200
    response = _log_in(client, "desk", "wrong-password")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert "locked for 15 minutes" in page
    assert "ask the clinic admin" in page


def test_locked_account_stays_locked_even_with_the_right_password(client, desk_user):
    for _ in range(5):
        _log_in(client, "desk", "wrong-password")
    response = _log_in(client, "desk")
    assert response.status_code == 429
    assert client.get("/desk/").status_code == 302


def test_lockout_ends_after_the_cool_off(client, desk_user):
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(5):
            _log_in(client, "desk", "wrong-password")
        clock.shift(dt.timedelta(minutes=16))
        response = _log_in(client, "desk")
    assert response.status_code == 302


def test_failures_on_one_account_do_not_lock_another(client, desk_user, practitioner_user):
    for _ in range(5):
        _log_in(client, "desk", "wrong-password")
    assert _log_in(client, "doc").status_code == 302


def test_staff_sessions_expire_after_thirty_idle_minutes_by_default(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_each_request_renews_the_idle_timeout(client, desk_user):
    with time_machine.travel(T0, tick=False) as clock:
        _log_in(client, "desk")
        for _ in range(3):
            clock.shift(dt.timedelta(minutes=29))
            assert client.get("/desk/").status_code == 200


def test_thirty_idle_minutes_end_the_session(client, desk_user):
    with time_machine.travel(T0, tick=False) as clock:
        _log_in(client, "desk")
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/desk/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_production_hashes_passwords_with_argon2(settings):
    # The test settings use a fast hasher; the shared settings (and so production) must not.
    settings.PASSWORD_HASHERS = base_settings.PASSWORD_HASHERS
    encoded = make_password("correct horse")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("correct horse", encoded)


def test_password_change_works_and_the_new_password_logs_in(client, desk_user):
    _log_in(client, "desk")
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "a-New-pass-2026", "new_password2": "a-New-pass-2026"},
        follow=True,
    )
    assert "Your password was changed." in response.content.decode()
    client.post("/accounts/logout/")
    assert _log_in(client, "desk", "a-New-pass-2026").status_code == 302


def test_password_change_with_a_wrong_old_password_changes_nothing(client, desk_user):
    _log_in(client, "desk")
    response = client.post(
        "/accounts/password/",
        {"old_password": "not-it", "new_password1": "a-New-pass-2026", "new_password2": "a-New-pass-2026"},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    desk_user.refresh_from_db()
    assert desk_user.check_password(PASSWORD)


def test_password_change_page_is_for_signed_in_staff(client, no_role_user):
    assert client.get("/accounts/password/")["Location"].startswith(LOGIN)
    client.force_login(no_role_user)
    assert client.get("/accounts/password/").status_code == 403


def test_logout_ends_the_session(client, desk_user):
    _log_in(client, "desk")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.get("/desk/")["Location"].startswith(LOGIN)
