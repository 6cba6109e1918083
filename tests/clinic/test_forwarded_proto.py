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
