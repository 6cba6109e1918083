"""Password guessing is bounded per account, and outsiders cannot lock the staff out
(clinic/signin_guard.py): IPv6 counted per /64, an hourly budget per account from every address
together, OWASP's device cookies for browsers that signed in before, a cool-off that does not
restart, and the password-change page's old password counted as a sign-in attempt."""

import datetime as dt
import ipaddress
import os
import subprocess
import sys

import pytest
import time_machine
from axes.models import AccessFailureLog
from django.test import Client

from clinic.signin_guard import account_failures, lockout_address
from tests.clinic.test_settings import ROOT
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
T0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
CLINIC_WIFI = "198.51.100.20"  # the clinic's own public address: staff and guests behind it


def _try(client, password: str, address: str, username: str = "desk"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _checked(response) -> bool:
    """The password was checked (a wrong one: the form again); a refusal is the lockout page."""
    assert response.status_code in (200, 302, 429), response.status_code
    return response.status_code != 429


def _addresses(count: int):
    """`count` addresses in as many different /64s (a botnet's spread)."""
    return [str(ipaddress.IPv6Address(f"2001:db8:{i // 65536:x}:{i % 65536:x}::1")) for i in range(count)]


def test_twelve_addresses_of_one_ipv6_64_are_one_client_and_get_five_guesses(client, desk_user):
    one_64 = [f"2001:db8:aa:bb::{i + 1:x}" for i in range(12)]

    answers = [_try(Client(), "wrong", address).status_code for address in one_64]

    # Five guesses checked (the fifth answered with the lockout), the other seven refused unchecked.
    assert answers == [200] * 4 + [429] * 8
    assert AccessFailureLog.objects.filter(username="desk").count() == 5
    assert {lockout_address_of(a) for a in one_64} == {"2001:db8:aa:bb::"}


def lockout_address_of(address: str) -> str:
    class Request:
        META = {"REMOTE_ADDR": address}

    return lockout_address(Request())


def test_an_account_takes_at_most_100_failed_guesses_an_hour_from_any_number_of_addresses(desk_user, capsys):
    """Two hours of a spread attack, one guess every 30 seconds, each from a new /64: the
    password is checked for at most 100 of the guesses in any hour."""
    checked_at: list[dt.datetime] = []
    addresses = iter(_addresses(240))
    with time_machine.travel(T0, tick=False) as clock:
        for step in range(240):
            now = T0 + dt.timedelta(seconds=30 * step)
            clock.move_to(now)
            if _checked(_try(Client(), "wrong", next(addresses))):
                checked_at.append(now)

    per_hour = max(sum(1 for t in checked_at if start <= t < start + dt.timedelta(hours=1)) for start in checked_at)
    with capsys.disabled():
        print(f"\nfailed guesses checked in the busiest hour of a 2-hour spread attack: {per_hour}")
    assert per_hour == 100
    assert len(checked_at) == 200  # the budget comes back as the first hour's failures age out


def test_the_right_password_from_a_new_address_is_refused_once_the_budget_is_spent(desk_user):
    with time_machine.travel(T0, tick=False):
        for address in _addresses(100):
            _try(Client(), "wrong", address)
        refused = _try(Client(), PASSWORD, "203.0.113.9")
    assert refused.status_code == 429
    assert "Too many failed logins" in refused.content.decode()
    # When to try again: when the oldest failure is an hour old.
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert len(account_failures("desk", now=T0)) == 100  # the refused one was not a guess


def test_a_browser_that_signed_in_before_is_not_locked_out_by_someone_elses_failures(desk_user):
    desk_browser = Client()
    with time_machine.travel(T0, tick=False) as clock:
        assert _try(desk_browser, PASSWORD, CLINIC_WIFI).status_code == 302
        desk_browser.post("/accounts/logout/")
        # A guest on the clinic's Wi-Fi locks "desk" for that address, and a botnet spends the
        # account's hourly budget.
        for _ in range(5):
            _try(Client(), "wrong", CLINIC_WIFI)
        for address in _addresses(100):
            _try(Client(), "wrong", address)
        assert _try(Client(), PASSWORD, CLINIC_WIFI).status_code == 429  # a new browser: refused

        clock.shift(dt.timedelta(minutes=1))
        assert _try(desk_browser, PASSWORD, CLINIC_WIFI).status_code == 302  # the desk's own: in
        assert desk_browser.get("/desk/").status_code == 200


def test_a_trusted_browser_has_its_own_lockout_after_its_own_failures(desk_user):
    desk_browser = Client()
    assert _try(desk_browser, PASSWORD, CLINIC_WIFI).status_code == 302
    desk_browser.post("/accounts/logout/")

    answers = [_try(desk_browser, "wrong", CLINIC_WIFI).status_code for _ in range(5)]

    assert answers == [200, 200, 200, 200, 429]
    assert _try(desk_browser, PASSWORD, CLINIC_WIFI).status_code == 429
    # Its failures are in the failure log (the account's budget), not on the shared address.
    assert AccessFailureLog.objects.filter(username="desk").count() == 5
    assert _try(Client(), PASSWORD, CLINIC_WIFI).status_code == 302


def test_a_device_cookie_trusts_one_person_and_cannot_be_forged(desk_user, practitioner_user):
    browser = Client()
    assert _try(browser, PASSWORD, CLINIC_WIFI, username="doc").status_code == 302
    browser.post("/accounts/logout/")
    cookie = next(name for name in browser.cookies if name.startswith("prolo_device_"))
    browser.cookies[cookie] = browser.cookies[cookie].value[:-2] + "xx"  # tampered
    for _ in range(5):
        _try(Client(), "wrong", CLINIC_WIFI)  # "desk" locked at the shared address

    # doc's cookie (tampered or not) does not vouch for "desk".
    assert _try(browser, PASSWORD, CLINIC_WIFI).status_code == 429


def test_the_cool_off_does_not_restart_on_failures_during_the_lockout(client, desk_user):
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(5):
            _try(Client(), "wrong", CLINIC_WIFI)
        # Someone keeps trying every few minutes during the lockout.
        for _ in range(3):
            clock.shift(dt.timedelta(minutes=4))
            assert _try(Client(), "wrong", CLINIC_WIFI).status_code == 429
        clock.shift(dt.timedelta(minutes=4))  # 16 minutes after the lockout began
        assert _try(client, PASSWORD, CLINIC_WIFI).status_code == 302


def test_the_old_password_on_the_password_change_page_counts_as_a_sign_in_attempt(client, desk_user):
    client.force_login(desk_user)  # a session, but no trusted-browser cookie (e.g. a stolen session)
    change = {"new_password1": "a-New-pass-2026", "new_password2": "a-New-pass-2026"}

    answers = [
        client.post("/accounts/password/", {"old_password": f"guess-{i}", **change}, REMOTE_ADDR=CLINIC_WIFI)
        for i in range(5)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert "Your old password was entered incorrectly" in answers[0].content.decode()
    assert "Too many failed logins" in answers[-1].content.decode()
    assert answers[-1]["Retry-After"]
    # Locked now: even the right old password is refused, and nothing changed.
    right = client.post("/accounts/password/", {"old_password": PASSWORD, **change}, REMOTE_ADDR=CLINIC_WIFI)
    assert right.status_code == 429
    desk_user.refresh_from_db()
    assert desk_user.check_password(PASSWORD)
    assert AccessFailureLog.objects.filter(username="desk").count() == 5


def test_every_staff_role_must_set_up_a_second_factor_when_the_clinic_requires_it(client, desk_user, settings):
    settings.STAFF_2FA_REQUIRED = True
    assert _try(client, PASSWORD, CLINIC_WIFI).status_code == 302

    response = client.get("/desk/")

    assert (response.status_code, response["Location"]) == (302, "/accounts/two-factor/set-up/")


def test_production_requires_a_second_factor_for_every_staff_role_by_default():
    probe = "from django.conf import settings; print(settings.STAFF_2FA_REQUIRED)"
    env = {"DJANGO_SETTINGS_MODULE": "clinic.settings.production", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "a.example"}
    environ = {k: v for k, v in os.environ.items() if k not in {"STAFF_2FA_REQUIRED", "DEBUG"}} | env
    code = f"import django; django.setup(); {probe}"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip() == "True", out.stderr


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_guesses_sent_all_at_once_from_many_addresses_do_not_pass_the_budget_together(desk_user):
    """A botnet sends its guesses at the same instant: each takes its place in the account's budget
    before its password is checked, so the count cannot be passed by guesses in flight together."""
    from django.utils import timezone

    from tests.concurrency import race

    now = timezone.now()
    AccessFailureLog.objects.bulk_create(
        AccessFailureLog(username="desk", ip_address=address, attempt_time=now, locked_out=False)
        for address in _addresses(97)
    )
    addresses = iter(_addresses(108)[100:])  # eight more /64s, one guess each

    answers = race(8, lambda: _try(Client(), "wrong", next(addresses)).status_code)

    assert sorted(answers) == [200] * 3 + [429] * 5
    assert AccessFailureLog.objects.filter(username="desk").count() == 100
