import re

import pytest

pytestmark = pytest.mark.django_db

ATTRIBUTE = re.compile(r'\b(?:src|href|action)="([^"]*)"')


@pytest.mark.parametrize("path", ["/accounts/login/", "/education/"])
def test_public_pages_load_nothing_from_another_host(client, path):
    page = client.get(path).content.decode()
    links = ATTRIBUTE.findall(page)
    assert links, "the page should link its stylesheets and scripts"
    assert [u for u in links if not u.startswith(("/", "#", "?")) and u != ""] == []


def test_staff_page_has_landmarks_navigation_by_role_and_a_print_stylesheet(desk_client):
    page = desk_client.get("/desk/").content.decode()
    assert "<header" in page and '<nav id="nav"' in page and '<main id="main"' in page
    assert 'href="/desk/patients/"' in page
    assert 'href="/admin/"' not in page  # setup is for the clinic admin only
    assert 'media="print"' in page


def test_clinic_admin_sees_the_setup_link(admin_client_):
    assert 'href="/admin/"' in admin_client_.get("/desk/").content.decode()


def test_flash_messages_are_shown_once(client, no_role_user):
    client.force_login(no_role_user)
    first = client.get("/", follow=True).content.decode()
    assert "Your account has no role yet" in first
    assert "Your account has no role yet" not in client.get("/education/").content.decode()


def test_layout_has_no_inline_script_or_style(desk_client):
    page = desk_client.get("/desk/").content.decode()
    assert "style=" not in page
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None
