import datetime as dt

import pytest
from django.utils import timezone

from clinic.models import AuditEntry, ClinicSettings
from patients.models import ConsultationRequest
from patients.services_consult import consultation_request_create, consultation_request_mark
from tests.factories import PatientFactory
from treatments.models import PainCheckIn

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clinic_row():
    return ClinicSettings.load()


def _request(name: str = "Ann Walker", **extra) -> ConsultationRequest:
    return consultation_request_create(
        name=name,
        email=extra.get("email", "ann@example.com"),
        phone="",
        preferred_times="Mornings",
        message="",
        consent=True,
        self_check={"long_pain": True, "pregnancy": True},
        now=timezone.now(),
    )


def _alert(**kwargs) -> PainCheckIn:
    return PainCheckIn.objects.create(
        patient=kwargs.get("patient") or PatientFactory(),
        pain=7,
        red_flags=kwargs.get("red_flags", ["fever"]),
        note="private words",
        created_at=timezone.now() - dt.timedelta(minutes=5),
    )


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/desk/requests/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_signed_in_user_without_a_role_is_refused(client, no_role_user):
    client.force_login(no_role_user)
    assert client.get("/desk/requests/").status_code == 403


def test_desk_sees_requests_and_red_flag_alerts(desk_client, django_assert_max_num_queries):
    _request()
    _request(name="Bob Stone")
    alert = _alert(red_flags=["fever", "discharge"])
    _alert(red_flags=[])  # a check-in without warning signs is no alert
    # Three more reads than before issues 10 and 11: recent check-ins, the series waiting to be
    # booked, and the red-flag count on the navigation.
    with django_assert_max_num_queries(14):
        response = desk_client.get("/desk/requests/")
    text = response.content.decode()
    assert "Ann Walker" in text and "Bob Stone" in text
    assert alert.patient.full_name in text
    assert "I have a fever above 38 °C" in text
    assert "Pregnant" not in text or "could you be" in text
    # Issue 10: the desk reads what the patient wrote before calling back.
    assert "private words" in text
    assert text.count("Called back: mark") == 1
    assert AuditEntry.objects.filter(object_type="treatments.paincheckin", patient_id=alert.patient_id).exists()


def test_query_count_does_not_grow_with_requests(desk_client, django_assert_max_num_queries):
    for n in range(15):
        _request(name=f"Person {n}")
    # Session, user, roles, alerts, recent check-ins, series to book, requests, settings, the
    # red-flag count on the navigation and the session save: 10 plus savepoints.
    with django_assert_max_num_queries(12):
        desk_client.get("/desk/requests/")


def test_desk_marks_a_request_contacted_then_closed(desk_client, desk_user):
    item = _request()
    response = desk_client.post(f"/desk/requests/{item.pk}/status/", {"status": "contacted"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "contacted" and item.handled_by == desk_user
    closed = desk_client.post(f"/desk/requests/{item.pk}/status/", {"status": "closed"}, follow=True)
    assert "Ann Walker is now marked “Closed”." in closed.content.decode()
    item.refresh_from_db()
    assert item.status == "closed"
    assert "Ann Walker" not in desk_client.get("/desk/requests/").content.decode()
    assert "Ann Walker" in desk_client.get("/desk/requests/?show=closed").content.decode()


def test_unknown_status_is_refused_and_nothing_changes(desk_client):
    item = _request()
    response = desk_client.post(f"/desk/requests/{item.pk}/status/", {"status": "deleted"}, follow=True)
    assert "Please choose contacted or closed." in response.content.decode()
    item.refresh_from_db()
    assert item.status == "new"


def test_status_of_a_missing_request_is_404(desk_client):
    assert desk_client.post("/desk/requests/999/status/", {"status": "closed"}).status_code == 404


def test_status_change_needs_the_desk_role(client, no_role_user):
    item = _request()
    client.force_login(no_role_user)
    assert client.post(f"/desk/requests/{item.pk}/status/", {"status": "closed"}).status_code == 403


def test_acknowledging_an_alert_removes_it_from_the_inbox(desk_client, desk_user):
    alert = _alert()
    response = desk_client.post(f"/desk/requests/alerts/{alert.pk}/acknowledge/", follow=True)
    assert "Alert marked as handled." in response.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_by == desk_user
    assert "No open alerts." in desk_client.get("/desk/requests/").content.decode()


def test_acknowledging_twice_says_it_was_already_handled(desk_client):
    alert = _alert()
    desk_client.post(f"/desk/requests/alerts/{alert.pk}/acknowledge/")
    response = desk_client.post(f"/desk/requests/alerts/{alert.pk}/acknowledge/", follow=True)
    assert "Someone already handled this alert." in response.content.decode()


def test_a_check_in_without_red_flags_cannot_be_acknowledged_as_an_alert(desk_client):
    quiet = _alert(red_flags=[])
    assert desk_client.post(f"/desk/requests/alerts/{quiet.pk}/acknowledge/").status_code == 404


def test_mark_service_records_who_and_when(desk_user):
    item = _request()
    now = timezone.now()
    consultation_request_mark(request_obj=item, status="closed", by=desk_user, now=now)
    item.refresh_from_db()
    assert (item.status, item.handled_by, item.handled_at) == ("closed", desk_user, now)
