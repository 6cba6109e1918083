"""One authenticator app and one set of recovery codes per account, in the database: two tabs
setting up at the same moment leave one of each, and the slower tab is told why."""

import datetime as dt
from binascii import unhexlify

import pytest
from django.db import IntegrityError, transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.integrity import constraint_message, constraint_name
from clinic.two_factor import TwoFactorError, totp_key_new, two_factor_enable
from tests.concurrency import race

NOW = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def _code(key: str) -> str:
    totp = TOTP(unhexlify(key))
    totp.time = NOW.timestamp()
    return f"{totp.token():06d}"


@pytest.mark.django_db
def test_a_second_confirmed_app_for_one_account_is_refused_by_name(desk_user):
    TOTPDevice.objects.create(user=desk_user, name="Phone", confirmed=True)
    TOTPDevice.objects.create(user=desk_user, name="Half set up", confirmed=False)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        TOTPDevice.objects.create(user=desk_user, name="Second phone", confirmed=True)
    assert constraint_name(caught.value) == "two_factor_one_app_per_user"
    assert "just turned on from another page" in constraint_message(caught.value)


@pytest.mark.django_db
def test_a_second_set_of_recovery_codes_is_refused_by_name(desk_user):
    StaticDevice.objects.create(user=desk_user, name="Codes", confirmed=True)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        StaticDevice.objects.create(user=desk_user, name="Codes again", confirmed=True)
    assert constraint_name(caught.value) == "two_factor_one_code_set_per_user"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_six_tabs_turning_it_on_at_once_leave_one_app_and_ten_codes(desk_user):
    """Whoever writes last (or first, when they overlap) holds the one app; every other tab either
    replaced it before or is told another page was quicker — never a second app or a 500."""
    pairs = iter([(key, _code(key)) for key in (totp_key_new() for _ in range(6))])

    def enable():
        key, code = next(pairs)
        return two_factor_enable(user=desk_user, key=key, code=code, now=NOW)

    outcomes = race(6, enable)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert all(isinstance(e, TwoFactorError) and "just turned on from another page" in str(e) for e in errors), errors
    assert TOTPDevice.objects.filter(user=desk_user).count() == 1
    assert StaticDevice.objects.get(user=desk_user).token_set.count() == 10
