"""The clinic admin edits protocols; bookings are read-only in the admin."""

import pytest
from django.urls import reverse

from tests.factories import protocol

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(admin_client_):
    """The Clinic admin role (its group permissions come from the migrations), not a superuser."""
    return admin_client_


FIELDS = [
    "name",
    "condition",
    "condition_label",
    "citation",
    "required_sessions",
    "optional_sessions",
    "target_interval_days",
    "window_before_days",
    "window_after_days",
    "solution",
    "outcome_measures",
    "aftercare_slug",
]


def form_data(p, **changes):
    data = {f: getattr(p, f) for f in FIELDS}
    data.update({"appointment_type": p.appointment_type_id, "active": "on", "step_intervals": "28, 28, 56"})
    data.update(changes)
    return data


def test_admin_edits_step_intervals_as_a_comma_list(superuser_client):
    p = protocol("Knee OA — Sit 2020")
    url = reverse("admin:treatments_protocol_change", args=[p.pk])
    page = superuser_client.get(url).content.decode()
    assert 'value="28, 28, 56"' in page
    response = superuser_client.post(url, form_data(p, step_intervals="21; 28, 56"))
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.step_intervals == [21, 28, 56]
    assert p.interval_after(1) == 21 and p.interval_after(4) == p.target_interval_days


def test_admin_rejects_bad_intervals_with_a_message(superuser_client):
    p = protocol("Knee OA — Sit 2020")
    url = reverse("admin:treatments_protocol_change", args=[p.pk])
    response = superuser_client.post(url, form_data(p, step_intervals="four weeks"))
    assert response.status_code == 200
    assert "Write whole numbers of days separated by commas" in response.content.decode()
    response = superuser_client.post(url, form_data(p, window_before_days=40))
    assert "The window must open after the previous session." in response.content.decode()
    p.refresh_from_db()
    assert p.step_intervals == [28, 28, 56]


def test_appointments_are_read_only_in_admin(superuser_client):
    assert superuser_client.get(reverse("admin:treatments_appointment_changelist")).status_code == 200
    assert superuser_client.get(reverse("admin:treatments_appointmentchange_changelist")).status_code == 200
    assert superuser_client.get(reverse("admin:treatments_treatmentseries_changelist")).status_code == 200
    assert superuser_client.get(reverse("admin:treatments_appointment_add")).status_code == 403
