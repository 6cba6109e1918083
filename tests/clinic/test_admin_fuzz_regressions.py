"""Server errors the form fuzz (tests/test_fuzz_forms.py) found in the admin, kept fixed."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group

from tests.factories import PatientFactory
from tests.treatments.factories_calendar import practitioner_with_hours

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/admin/treatments/waitlistentry/", "/admin/axes/accessattempt/", "/admin/patients/patient/"]
)
def test_a_pasted_page_of_words_in_an_admin_search_lists_instead_of_crashing(admin_client_, path):
    response = admin_client_.get(path, {"q": "0\x85" * 600})
    assert response.status_code == 200


def test_an_admin_search_keeps_its_first_words(admin_client_):
    PatientFactory(first_name="Ines", last_name="Okafor")
    response = admin_client_.get("/admin/patients/patient/", {"q": "okafor " + "zzz " * 50})
    assert response.status_code == 200
    assert "okafor zzz zzz zzz zzz zzz zzz zzz" in response.content.decode()


def test_a_forged_out_of_range_permission_id_is_refused_with_a_message(admin_client_):
    response = admin_client_.post("/admin/auth/group/add/", {"name": "Night desk", "permissions": ["9" * 25]})
    assert response.status_code == 200
    assert "is not a valid value" in response.content.decode()
    assert not Group.objects.filter(name="Night desk").exists()


def test_a_forged_out_of_range_group_id_on_an_account_is_refused_with_a_message(admin_client_, desk_user):
    response = admin_client_.post(
        f"/admin/auth/user/{desk_user.pk}/change/",
        {"username": "desk", "groups": ["-" + "9" * 25], "date_joined_0": "2026-01-01", "date_joined_1": "09:00"},
    )
    assert response.status_code == 200
    assert "is not a valid value" in response.content.decode()


def test_a_bulk_action_on_a_forged_row_id_is_refused_and_changes_nothing(admin_client_):
    practitioner, _location = practitioner_with_hours()
    response = admin_client_.post(
        "/admin/clinic/practitioner/", {"action": "issue_feed", "_selected_action": [str(practitioner.pk), "NaN"]}
    )
    assert response.status_code == 400
    practitioner.refresh_from_db()
    assert practitioner.feed_token_hash == ""


def test_a_bulk_action_on_real_rows_still_works(admin_client_):
    practitioner, _location = practitioner_with_hours()
    response = admin_client_.post(
        "/admin/clinic/practitioner/", {"action": "issue_feed", "_selected_action": [str(practitioner.pk)]}
    )
    assert response.status_code == 200
    practitioner.refresh_from_db()
    assert practitioner.feed_token_hash != ""


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_a_username_longer_than_any_account_is_a_wrong_sign_in_not_a_server_error(client, path):
    # django-axes keeps failed sign-ins in a 255-character column: on PostgreSQL a longer name was
    # a 500 (found by the form fuzz).
    response = client.post(path, {"username": "x" * 2000, "password": "wrong"})
    assert response.status_code == 200
    assert [len(a.username) for a in AccessAttempt.objects.all()] == [150]
