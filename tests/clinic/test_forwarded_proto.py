"""X-Forwarded-Proto is believed only from the trusted proxies (issue 20, item 5): a client that
reaches the app directly cannot claim HTTPS (which would skip the HTTPS redirect and mark the
request secure), while the documented proxy still can."""

import pytest

pytestmark = pytest.mark.django_db

PROXY = "172.28.0.10"  # docker compose's Caddy (TRUSTED_PROXIES)


@pytest.fixture
def behind_the_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True


def test_a_forged_proto_header_from_any_other_peer_is_ignored(client, behind_the_proxy):
    response = client.get("/education/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="203.0.113.7")
    # Not believed: the request is plain HTTP and is sent to HTTPS.
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_the_trusted_proxy_may_say_the_request_came_over_https(client, behind_the_proxy):
    response = client.get("/education/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR=PROXY)
    assert response.status_code == 200


def test_make_run_s_gunicorn_believes_no_peer_s_proto_header_unless_told():
    """gunicorn believes X-Forwarded-Proto from FORWARDED_ALLOW_IPS, by default 127.0.0.1: under
    `make run` every local client is 127.0.0.1, so any of them could say "https". The Procfile
    passes FORWARDED_ALLOW_IPS as given, empty when unset: gunicorn then believes no one."""
    import shlex
    from pathlib import Path

    from gunicorn.config import validate_string_to_addr_list

    web = next(
        line
        for line in (Path(__file__).resolve().parents[2] / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    args = shlex.split(web.removeprefix("web:"))
    value = args[args.index("--forwarded-allow-ips") + 1]
    assert value == "${FORWARDED_ALLOW_IPS-}"  # the shell honcho starts it with: empty when unset
    assert validate_string_to_addr_list("") == []
