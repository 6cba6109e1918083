import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory

from clinic import roles
from clinic.audit import audit_record
from clinic.models import AuditEntry
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/clinic/auditentry/"


def _staff_request(user, ip: str = "203.0.113.7"):
    request = RequestFactory().get("/desk/patients/1/", REMOTE_ADDR=ip)
    request.user = user
    return request


def test_audit_record_writes_who_did_what_to_which_patient_and_from_where(desk_user):
    patient = PatientFactory()
    entry = audit_record(
        request=_staff_request(desk_user), action=AuditEntry.Action.VIEW, obj=patient, patient_id=patient.pk
    )
    entry.refresh_from_db()
    assert (entry.user, entry.patient_id, entry.action) == (desk_user, patient.pk, "view")
    assert (entry.object_type, entry.object_id) == ("patients.patient", str(patient.pk))
    assert (entry.ip, entry.via) == ("203.0.113.7", "staff")
    assert entry.at is not None


def test_audit_record_from_a_task_has_no_user_or_address():
    entry = audit_record(
        request=None, action=AuditEntry.Action.CHANGE, object_type="treatments.appointment", object_id=9, via="system"
    )
    assert (entry.user, entry.ip, entry.object_id, entry.via) == (None, None, "9", "system")


def test_an_audit_entry_cannot_be_changed_or_deleted(desk_user):
    entry = audit_record(request=_staff_request(desk_user), action=AuditEntry.Action.VIEW, object_type="x", object_id=1)
    entry.action = AuditEntry.Action.DELETE
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    assert AuditEntry.objects.get().action == "view"


def test_the_audit_trail_refuses_bulk_update_and_delete(desk_user):
    audit_record(request=_staff_request(desk_user), action=AuditEntry.Action.VIEW, object_type="x", object_id=1)
    with pytest.raises(ValueError, match="append-only"):
        AuditEntry.objects.update(action="delete")
    with pytest.raises(ValueError, match="append-only"):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(action="view").count() == 1


def test_deleting_a_staff_account_keeps_its_trail(desk_user):
    audit_record(
        request=_staff_request(desk_user), action=AuditEntry.Action.VIEW, object_type="x", object_id=1, patient_id=5
    )
    desk_user.delete()
    entry = AuditEntry.objects.get()
    assert (entry.user, entry.patient_id) == (None, 5)


def test_clinic_admin_reads_the_audit_trail_in_setup(admin_client_, desk_user):
    audit_record(
        request=_staff_request(desk_user), action=AuditEntry.Action.VIEW, object_type="patients.patient", object_id=41
    )
    response = admin_client_.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "patients.patient" in page
    assert "203.0.113.7" in page
    assert "Add audit entry" not in page


def test_clinic_admin_cannot_add_change_or_delete_audit_entries(admin_client_, desk_user):
    entry = audit_record(request=_staff_request(desk_user), action=AuditEntry.Action.VIEW, object_type="x", object_id=1)
    assert admin_client_.get(f"{LIST}add/").status_code == 403
    assert admin_client_.get(f"{LIST}{entry.pk}/delete/").status_code == 403
    change = admin_client_.post(f"{LIST}{entry.pk}/change/", {"action": "delete", "object_type": "y"})
    assert change.status_code == 403
    # The detail page is view-only: no form to save.
    detail = admin_client_.get(f"{LIST}{entry.pk}/change/")
    assert detail.status_code == 200
    assert "203.0.113.7" in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    assert AuditEntry.objects.get().object_type == "x"


def test_front_desk_cannot_see_the_audit_trail_even_with_admin_access(client):
    desk = UserFactory(username="desk-staff", is_staff=True)
    desk.groups.add(Group.objects.get(name=roles.FRONT_DESK))
    client.force_login(desk)
    assert client.get(LIST).status_code == 403
    assert "Audit entries" not in client.get("/admin/").content.decode()


def test_front_desk_without_admin_access_is_sent_to_the_admin_login(desk_client):
    response = desk_client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.postgres
def test_postgres_refuses_to_change_or_delete_audit_rows_behind_djangos_back(desk_user):
    from django.db import DatabaseError, connection, transaction

    entry = audit_record(request=_staff_request(desk_user), action=AuditEntry.Action.VIEW, object_type="x", object_id=1)
    for sql in [
        "UPDATE clinic_auditentry SET action = 'delete' WHERE id = %s",
        "DELETE FROM clinic_auditentry WHERE id = %s",
    ]:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get().action == "view"
