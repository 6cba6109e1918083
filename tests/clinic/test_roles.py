import pytest
from django.contrib.auth.models import Group

from clinic import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _perms(group: str) -> set[str]:
    return {
        f"{app}.{code}"
        for app, code in Group.objects.get(name=group).permissions.values_list("content_type__app_label", "codename")
    }


def test_the_three_roles_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


def test_front_desk_handles_bookings_but_never_clinical_records_or_the_audit_trail():
    desk = _perms(roles.FRONT_DESK)
    assert {"patients.change_patient", "treatments.add_appointment", "treatments.change_treatmentseries"} <= desk
    assert not any("sessionrecord" in p or "outcomescore" in p for p in desk)
    assert "clinic.view_auditentry" not in desk


def test_practitioners_write_clinical_records_but_cannot_delete_them():
    practitioner = _perms(roles.PRACTITIONER)
    assert {
        "treatments.view_sessionrecord",
        "treatments.add_sessionrecord",
        "treatments.change_sessionrecord",
    } <= practitioner
    assert "treatments.delete_sessionrecord" not in practitioner
    assert "clinic.change_location" not in practitioner


def test_clinic_admin_runs_setup_and_reads_the_audit_trail():
    admin = _perms(roles.CLINIC_ADMIN)
    assert {"clinic.change_location", "clinic.add_workinghours", "treatments.change_protocol"} <= admin
    assert {"clinic.view_auditentry", "axes.delete_accessattempt", "auth.change_user"} <= admin


def test_clinical_access_is_for_practitioners_and_the_clinic_admin(desk_user, practitioner_user, admin_user):
    assert not roles.is_clinical(desk_user)
    assert roles.is_clinical(practitioner_user)
    assert roles.is_clinical(admin_user)


def test_a_superuser_counts_as_clinic_admin_and_an_account_without_groups_has_no_role(no_role_user):
    root = UserFactory(username="root", is_superuser=True)
    assert roles.has_role(root, roles.CLINIC_ADMIN)
    assert roles.roles_of(no_role_user) == frozenset()
