"""A 25 MB anonymous POST is refused before it is read (issue 20, item 5): 413 with a sentence,
nothing saved; the proxy caps the same (Caddyfile `request_body`)."""

import re
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from clinic.middleware import PERMISSIONS_POLICY, BodySizeMiddleware
from patients.models import ConsultationRequest

pytestmark = pytest.mark.django_db


def test_a_25_mb_anonymous_post_is_refused_with_413_and_nothing_saved(client):
    body = "name=Ann&email=a%40example.com&message=" + "x" * (25 * 1024 * 1024)

    response = client.post("/consult/", data=body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 413
    assert "too large to send: at most 2.5 MB" in response.content.decode()  # a form without files
    assert not ConsultationRequest.objects.exists()
    # The refusal carries the headers every response does.
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_form_over_django_s_own_cap_is_refused_early_with_a_sentence_not_a_bare_400(client):
    """3 MB of form fields: Django refused them only once the view read the form (a bare "Bad
    Request (400)" page); the body's cap says what is wrong, before anything is read."""
    body = "name=Ann&email=a%40example.com&message=" + "x" * (3 * 1024 * 1024)

    response = client.post("/consult/", data=body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 413
    assert response.content.decode() == "This is too large to send: at most 2.5 MB at a time. Nothing was saved."


def test_a_form_with_files_may_be_as_large_as_an_attachment(client):
    request = RequestFactory().post("/consult/", data="x", content_type="multipart/form-data; boundary=b")
    request.META["CONTENT_LENGTH"] = str(11 * 1024 * 1024)

    response = BodySizeMiddleware(lambda _request: HttpResponse("read"))(request)

    assert response.content == b"read"


def test_the_body_is_not_read_when_it_is_refused():
    read = []

    class Body:
        def read(self, *args):
            read.append(args)
            return b""

    request = RequestFactory().post("/consult/", data="x", content_type="text/plain")
    request.META["CONTENT_LENGTH"] = str(25 * 1024 * 1024)
    request.META["wsgi.input"] = Body()

    response = BodySizeMiddleware(lambda _request: pytest.fail("the view must not run"))(request)

    assert response.status_code == 413 and read == []


def test_the_proxy_caps_request_bodies_too():
    caddyfile = (Path(__file__).resolve().parents[2] / "Caddyfile").read_text()
    assert "max_size 12MB" in caddyfile


LENGTH_OVER_12_MB = re.compile(r"^(12[6-9][0-9]{5}|1[3-9][0-9]{6}|[2-9][0-9]{7}|[0-9]{9,})$")


def test_the_proxy_refuses_a_declared_oversized_body_itself_with_the_apps_sentence_and_headers():
    caddyfile = (Path(__file__).resolve().parents[2] / "Caddyfile").read_text()
    assert f"@too_large header_regexp Content-Length {LENGTH_OVER_12_MB.pattern}" in caddyfile
    assert f'header Permissions-Policy "{PERMISSIONS_POLICY}"' in caddyfile
    assert 'respond "This is too large to send: at most 12 MB at a time. Nothing was saved." 413' in caddyfile
    # The pattern: every length over 12 MB from 12,600,000 up; none the app would take.
    assert all(LENGTH_OVER_12_MB.match(str(n)) for n in (12_600_000, 13_000_000, 25 * 1024 * 1024, 10**9))
    assert not any(LENGTH_OVER_12_MB.match(str(n)) for n in (0, 2_500_000, 12 * 1024 * 1024, 12_582_912))
