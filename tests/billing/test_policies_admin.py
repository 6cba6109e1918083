"""The clinic admin sets billing's policies in setup: a late-cancel fee per appointment type and a
deposit per protocol or type, typed as money or a percentage; bad input is shown and nothing is
saved; the front desk cannot open them."""

import pytest

from billing.models import CancellationPolicy, DepositPolicy
from tests.factories import appointment_type, protocol

pytestmark = pytest.mark.django_db


def test_a_late_cancel_fee_is_typed_as_money(admin_client_):
    url = "/admin/billing/cancellationpolicy/add/"
    data = {"appointment_type": appointment_type("injection").pk, "window_hours": "48", "charge": "fixed", "amount": ""}
    response = admin_client_.post(url, data)
    assert response.status_code == 200 and "Enter the fixed amount." in response.content.decode()
    assert not CancellationPolicy.objects.exists()
    response = admin_client_.post(url, {**data, "amount": "50.00"})
    assert response.status_code == 302
    policy = CancellationPolicy.objects.get()
    assert (policy.window_hours, policy.charge, policy.amount, policy.percent_bp) == (48, "fixed", 5000, 0)


def test_a_deposit_is_for_a_type_or_a_protocol_and_a_percentage_is_stored_in_basis_points(admin_client_):
    url = "/admin/billing/depositpolicy/add/"
    both = {
        "appointment_type": appointment_type("injection").pk,
        "protocol": protocol().pk,
        "charge": "percent",
        "percent": "25",
    }
    response = admin_client_.post(url, both)
    assert response.status_code == 200 and "either an appointment type or a protocol" in response.content.decode()
    assert not DepositPolicy.objects.exists()
    response = admin_client_.post(url, {**both, "appointment_type": ""})
    assert response.status_code == 302
    assert DepositPolicy.objects.get().percent_bp == 2500


def test_the_desk_cannot_open_billing_setup(desk_client):
    response = desk_client.get("/admin/billing/cancellationpolicy/")
    assert response.status_code in (302, 403)
