import pytest

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_education(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/education/"


def test_desk_lands_on_calendar(desk_client):
    response = desk_client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/desk/"
    assert "Day calendar" in response.content.decode()


def test_practitioner_lands_on_today(practitioner_client):
    response = practitioner_client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/practice/"


def test_desk_may_not_open_practice_pages(desk_client):
    assert desk_client.get("/practice/").status_code == 403


def test_every_page_sends_a_content_security_policy_allowing_only_self(client):
    policy = client.get("/education/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "http" not in policy
