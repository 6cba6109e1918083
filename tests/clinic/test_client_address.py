"""One client address behind a proxy: X-Forwarded-For is believed only from TRUSTED_PROXIES, and
only as far as they wrote it. The same address reaches the audit log and django-axes."""

import secrets

import pytest
from django.test import RequestFactory

from clinic.client_address import client_ip
from clinic.models import AuditEntry
from tests.clinic.test_settings import _manage
from tests.factories import PASSWORD, PatientFactory

PROXY = "172.28.0.10"
OUTSIDER = "198.51.100.66"


def _ip(remote: str, forwarded: str | None = None) -> str | None:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert _ip("203.0.113.5", "10.9.9.9") == "203.0.113.5"


def test_the_address_our_proxy_forwarded_is_the_client(behind_proxy):
    assert _ip(PROXY, "203.0.113.5") == "203.0.113.5"


def test_a_spoofed_header_from_an_untrusted_address_is_ignored(behind_proxy):
    assert _ip(OUTSIDER, "203.0.113.5") == OUTSIDER
    assert _ip(OUTSIDER, f"{PROXY}, 203.0.113.5") == OUTSIDER


def test_what_the_client_wrote_before_our_proxy_appended_is_ignored(behind_proxy):
    # The client sent "X-Forwarded-For: 10.0.0.1"; the proxy appended the address it saw.
    assert _ip(PROXY, "10.0.0.1, 203.0.113.5") == "203.0.113.5"


def test_a_chain_of_trusted_proxies_is_walked_to_the_first_untrusted_address(settings):
    settings.TRUSTED_PROXIES = ["172.28.0.0/24", "10.1.0.0/16"]
    assert _ip("172.28.0.10", "6.6.6.6, 203.0.113.5, 10.1.2.3") == "203.0.113.5"


def test_a_request_from_the_proxy_itself_without_the_header_is_the_proxy(behind_proxy):
    assert _ip(PROXY) == PROXY
    assert _ip(PROXY, "not-an-address") == PROXY


def test_ipv6_clients_and_proxies(settings):
    settings.TRUSTED_PROXIES = ["fd00::/8"]
    assert _ip("fd00::10", "2001:db8::7") == "2001:db8::7"
    assert _ip("2001:db8::99", "2001:db8::7") == "2001:db8::99"


def test_a_typo_in_trusted_proxies_stops_the_app_from_starting():
    result = _manage(
        "check",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="clinic.example.com",
        TRUSTED_PROXIES="172.28.0.10,172.28.0.300",
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: '172.28.0.300' is not an IP address" in result.stderr


@pytest.mark.django_db
def test_the_audit_log_records_the_forwarded_client(behind_proxy, desk_client):
    patient = PatientFactory()
    desk_client.get(f"/desk/patients/{patient.pk}/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    desk_client.get(f"/desk/patients/{patient.pk}/", REMOTE_ADDR=OUTSIDER, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert list(AuditEntry.objects.filter(patient_id=patient.pk).order_by("id").values_list("ip", flat=True)) == [
        "203.0.113.5",
        OUTSIDER,
    ]


def _log_in(client, password: str, client_address: str, remote: str = PROXY):
    return client.post(
        "/accounts/login/",
        {"username": "desk", "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=client_address,
    )


@pytest.mark.django_db
def test_a_lockout_behind_the_proxy_falls_on_the_attackers_address_only(behind_proxy, client, desk_user):
    for _ in range(5):
        _log_in(client, "wrong-password", "203.0.113.66")
    assert _log_in(client, PASSWORD, "203.0.113.66").status_code == 429
    # The same account from the desk's own address still signs in.
    assert _log_in(client, PASSWORD, "192.0.2.10").status_code == 302


@pytest.mark.django_db
def test_a_new_spoofed_header_on_each_try_does_not_dodge_the_lockout(behind_proxy, client, desk_user):
    for n in range(5):
        _log_in(client, "wrong-password", f"203.0.113.{n}", remote=OUTSIDER)
    assert _log_in(client, PASSWORD, "203.0.113.99", remote=OUTSIDER).status_code == 429
