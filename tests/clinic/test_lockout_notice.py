"""Nobody can lock out somebody else unnoticed: the clinic admin is told of lockouts on their pages."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessFailureLog
from django.test import Client

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
NOTICE = "Sign-in lockouts in the last 24 hours"


def _lock_out(client, username: str, address: str) -> None:
    for _ in range(5):
        client.post("/accounts/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=address)


@pytest.fixture
def locked_desk(desk_user):
    with time_machine.travel(T0, tick=False):
        attacker = Client()
        _lock_out(attacker, "desk", "203.0.113.66")
        _lock_out(attacker, "desk", "198.51.100.7")
    return desk_user


def test_the_clinic_admin_sees_which_account_was_locked_out_and_from_how_many_addresses(locked_desk, admin_client_):
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        page = admin_client_.get("/desk/").content.decode()
    assert NOTICE in page
    assert "<strong>desk</strong>" in page
    assert "2 refused logins" in page and "from 2 addresses" in page
    # 15:00 UTC is 09:00 in Chicago (winter time).
    assert "last at Mon 2 Mar, 09:00" in page
    assert 'href="/admin/axes/accessattempt/"' in page


def test_the_front_desk_is_not_shown_the_notice(locked_desk, client):
    client.force_login(locked_desk)
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        # The desk user's own session is not affected by the lockout of the login form.
        assert NOTICE not in client.get("/desk/").content.decode()


def test_the_notice_is_gone_a_day_later(locked_desk, admin_client_):
    with time_machine.travel(T0 + dt.timedelta(hours=25), tick=False):
        assert NOTICE not in admin_client_.get("/desk/").content.decode()


def test_a_wrong_password_without_a_lockout_is_no_notice(admin_client_, desk_user):
    Client().post("/accounts/login/", {"username": "desk", "password": "wrong"})
    assert AccessFailureLog.objects.filter(username="desk", locked_out=False).exists()
    assert NOTICE not in admin_client_.get("/desk/").content.decode()
