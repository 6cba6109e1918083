"""The clinic admin allows (or not) practitioners their own time off on the setup page, not in the
Django admin's clinic settings (issue 19, item 11)."""

import re

import pytest
from django.test import Client

from clinic.models import ClinicSettings
from tests.factories import PractitionerFactory
from treatments.setup.services import own_time_off_allow

pytestmark = pytest.mark.django_db

URL = "/desk/setup/own-time-off/"


def test_the_service_sets_the_clinic_setting_and_says_whether_it_changed():
    assert ClinicSettings.load().practitioners_own_time_off is False
    assert own_time_off_allow(allowed=True) is True
    assert ClinicSettings.load().practitioners_own_time_off is True
    assert own_time_off_allow(allowed=True) is False
    assert own_time_off_allow(allowed=False) is True
    assert ClinicSettings.load().practitioners_own_time_off is False


def test_the_clinic_admin_allows_practitioners_their_own_time_off_from_the_setup_page(
    admin_client_, practitioner_user, django_assert_max_num_queries
):
    PractitionerFactory(user=practitioner_user, display_name="Dr Own")
    with django_assert_max_num_queries(20):  # the page's ceiling (test_setup_pages.py)
        page = admin_client_.get("/desk/setup/").content.decode()
    assert "own time off" in page
    assert re.search(r'<input[^>]*value="no"[^>]*checked', page)
    response = admin_client_.post(URL, {"allowed": "yes"}, follow=True)
    assert "Practitioners now add and remove their own time off" in response.content.decode()
    assert ClinicSettings.load().practitioners_own_time_off is True
    # The practitioner finds "My time off" in the navigation and may use it.
    client = Client()
    client.force_login(practitioner_user)
    home = client.get("/practice/").content.decode()
    assert "My time off" in home
    assert client.get("/desk/setup/time-off/").status_code == 200

    admin_client_.post(URL, {"allowed": "no"})
    assert ClinicSettings.load().practitioners_own_time_off is False
    assert client.get("/desk/setup/time-off/").status_code == 403


def test_a_choice_that_is_neither_yes_nor_no_is_refused_in_the_page_and_nothing_changes(admin_client_):
    response = admin_client_.post(URL, {"allowed": "maybe"})
    assert response.status_code == 400
    assert "Choose yes or no." in response.content.decode()
    assert admin_client_.post(URL, {}).status_code == 400
    assert ClinicSettings.load().practitioners_own_time_off is False


def test_only_the_clinic_admin_may_change_it(desk_client, practitioner_client):
    assert desk_client.post(URL, {"allowed": "yes"}).status_code == 403
    assert practitioner_client.post(URL, {"allowed": "yes"}).status_code == 403
    assert ClinicSettings.load().practitioners_own_time_off is False
