"""Patients' and clinical data are written only through the services, with their audit entry and
their history: every admin page for such data is read-only, for the clinic admin and a superuser
alike. The rule is found, not listed: any registered model that points at a patient (directly or
through one of its relations) counts."""

import pytest
from django.contrib import admin
from django.db import models
from django.test import RequestFactory

from clinic.models import AuditEntry
from patients.models import Patient
from tests.factories import PatientFactory, UserFactory
from tests.notifications.factories_messages import MessageFactory

pytestmark = pytest.mark.django_db


def _points_at_a_patient(model, depth: int = 2) -> bool:
    if model is Patient:
        return True
    for field in model._meta.get_fields():
        if field.name == "patient_id" or (field.name == "patient" and field.is_relation):
            return True
        related = field.related_model if isinstance(field, models.ForeignKey) else None
        if depth > 1 and related not in (None, model) and _points_at_a_patient(related, depth - 1):
            return True
    return False


PATIENT_DATA_ADMINS = [
    (model, model_admin) for model, model_admin in admin.site._registry.items() if _points_at_a_patient(model)
]


def test_the_rule_finds_the_patient_data_admins():
    labels = {model._meta.label for model, _ in PATIENT_DATA_ADMINS}
    assert {
        "patients.Patient",
        "treatments.TreatmentSeries",
        "treatments.Appointment",
        "treatments.AppointmentChange",
        "notifications.Message",
        "clinic.AuditEntry",
    } <= labels


@pytest.mark.parametrize("model,model_admin", PATIENT_DATA_ADMINS, ids=lambda x: getattr(x, "__name__", ""))
def test_no_admin_page_adds_changes_or_deletes_patient_data(model, model_admin):
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    assert not model_admin.has_add_permission(request), model._meta.label
    assert not model_admin.has_change_permission(request), model._meta.label
    assert not model_admin.has_delete_permission(request), model._meta.label
    for inline in model_admin.get_inline_instances(request):
        assert not inline.has_add_permission(request, None), inline
        assert not (inline.can_delete and inline.has_delete_permission(request, None)), inline


def _patient_form(patient) -> dict:
    return {
        "first_name": "Changed",
        "last_name": patient.last_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "email": patient.email,
        "phone": patient.phone,
        "preferred_channel": patient.preferred_channel,
        "screening_answers-TOTAL_FORMS": "0",
        "screening_answers-INITIAL_FORMS": "0",
    }


def test_the_admin_change_form_for_a_patient_refuses_to_save(admin_client_):
    patient = PatientFactory(first_name="Ines")
    url = f"/admin/patients/patient/{patient.pk}/change/"
    response = admin_client_.post(url, _patient_form(patient))
    assert response.status_code == 403
    patient.refresh_from_db()
    assert patient.first_name == "Ines"
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CHANGE).exists()
    assert admin_client_.post("/admin/patients/patient/add/", _patient_form(patient)).status_code == 403
    assert admin_client_.post(f"/admin/patients/patient/{patient.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_the_admin_shows_a_patient_read_only_audits_the_view_and_links_to_the_desk(admin_client_):
    patient = PatientFactory(first_name="Ines", last_name="Okafor")
    page = admin_client_.get(f"/admin/patients/patient/{patient.pk}/change/").content.decode()
    assert "Okafor" in page
    assert 'name="first_name"' not in page  # no input: read-only
    assert f'href="/desk/patients/{patient.pk}/edit/"' in page
    entry = AuditEntry.objects.get(action=AuditEntry.Action.VIEW)
    assert (entry.patient_id, entry.object_type, entry.user.username) == (patient.pk, "patients.patient", "boss")


def test_the_message_log_cannot_be_deleted_in_the_admin(admin_client_):
    message = MessageFactory()
    response = admin_client_.post(f"/admin/notifications/message/{message.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
