"""Words the clinic admin, the desk and the public read (issue 19, item 17)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_admin_index_names_the_sign_in_and_two_factor_apps_in_words(admin_client_):
    page = admin_client_.get("/admin/").content.decode()
    for words in ("Sign-in lockouts", "Two-factor: authenticator apps", "Two-factor: recovery codes"):
        assert words in page
    for label in ("AXES", "OTP_STATIC", "OTP_TOTP", "Otp_Totp"):
        assert label not in page


def test_an_optional_field_of_the_consultation_request_says_optional_once(client):
    page = client.get("/consult/request/").content.decode()
    assert 'Anything you would like us to know <span class="text-body-secondary">(optional)</span></label>' in page
    assert "(optional) <span" not in page


def test_a_date_picker_has_no_typed_format_hint_beside_it(desk_client):
    page = desk_client.get("/desk/patients/new/").content.decode()
    assert 'type="date"' in page
    assert "YYYY-MM-DD" not in page


def test_htmx_is_told_not_to_inject_styles_and_the_indicator_rules_are_ours(desk_client, settings):
    from pathlib import Path

    page = desk_client.get("/desk/").content.decode()
    import json
    import re

    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page).group(1))
    assert config["includeIndicatorStyles"] is False
    css = (Path(settings.BASE_DIR) / "static" / "css" / "prolo.css").read_text()
    assert ".htmx-request .htmx-indicator" in css


def test_the_menu_icon_is_dark_on_the_light_header(desk_client):
    page = desk_client.get("/desk/").content.decode()
    assert "navbar-light" in page and "navbar-dark" not in page
