"""Only what happened can be signed: the session must have started, taken place, and be the
signer's own; signing proves the arrival; opening a record writes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from tests.factories import AppointmentFactory, PractitionerFactory
from tests.treatments.factories_practice import NOW, series_appointment, series_with_sessions
from treatments.clinical.services.records import (
    RecordData,
    RecordError,
    SiteData,
    record_open,
    record_save,
    record_sign,
    record_submit,
)
from treatments.models import Appointment, AppointmentChange, SessionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def ready() -> RecordData:
    site = SiteData(region="Knee", structure="Intra-articular", dextrose_percent=Decimal("25"), volume_ml=Decimal("6"))
    return RecordData(consent_confirmed=True, pain_before=7, screening={}, sites=[site])


def saved_draft(appointment: Appointment) -> SessionRecord:
    user = appointment.practitioner.user
    record = record_open(appointment=appointment, user=user, now=NOW)
    return record_save(record=record, data=ready(), user=user, now=NOW)


def test_a_session_that_has_not_started_cannot_be_signed_and_nothing_changes():
    tomorrow = AppointmentFactory(start=NOW + dt.timedelta(days=1), status=Appointment.Status.BOOKED)
    with pytest.raises(RecordError, match="can be signed once it has started"):
        record_submit(appointment=tomorrow, data=ready(), action="sign", user=tomorrow.practitioner.user, now=NOW)
    tomorrow.refresh_from_db()
    assert tomorrow.status == Appointment.Status.BOOKED
    assert not SessionRecord.objects.exists()


def test_a_session_can_be_signed_from_its_start_time():
    appointment = AppointmentFactory(start=NOW, status=Appointment.Status.CHECKED_IN)
    record = record_sign(record=saved_draft(appointment), user=appointment.practitioner.user, now=NOW)
    assert record.status == SessionRecord.Status.SIGNED


@pytest.mark.parametrize("status", [Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW])
def test_a_cancelled_or_missed_session_cannot_be_signed(status):
    appointment = AppointmentFactory(start=NOW - dt.timedelta(hours=1), status=Appointment.Status.CHECKED_IN)
    record = saved_draft(appointment)
    Appointment.objects.filter(pk=appointment.pk).update(status=status, cancelled_at=NOW)
    with pytest.raises(RecordError, match="there is no session"):
        record_sign(record=record, user=appointment.practitioner.user, now=NOW)
    record.refresh_from_db()
    assert record.status == SessionRecord.Status.DRAFT


def test_signing_a_session_the_desk_never_checked_in_marks_the_arrival():
    appointment = AppointmentFactory(start=NOW - dt.timedelta(minutes=30), status=Appointment.Status.BOOKED)
    record_sign(record=saved_draft(appointment), user=appointment.practitioner.user, now=NOW)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.COMPLETED
    assert appointment.checked_in_at == appointment.start
    kinds = list(AppointmentChange.objects.filter(appointment=appointment).values_list("kind", flat=True))
    assert sorted(kinds) == ["checked_in", "completed"]


def test_signing_twice_is_refused_the_second_time():
    appointment = AppointmentFactory(start=NOW, status=Appointment.Status.CHECKED_IN)
    record = saved_draft(appointment)
    record_sign(record=record, user=appointment.practitioner.user, now=NOW)
    with pytest.raises(RecordError, match="signed and locked"):
        record_sign(record=record, user=appointment.practitioner.user, now=NOW + dt.timedelta(minutes=1))
    assert AppointmentChange.objects.filter(appointment=appointment, kind="completed").count() == 1


def test_another_practitioner_cannot_sign_the_record():
    appointment = AppointmentFactory(start=NOW, status=Appointment.Status.CHECKED_IN)
    record = saved_draft(appointment)
    colleague = PractitionerFactory()
    with pytest.raises(RecordError, match="whose appointment this is"):
        record_sign(record=record, user=colleague.user, now=NOW)
    record.refresh_from_db()
    assert record.status == SessionRecord.Status.DRAFT


# --- the page -------------------------------------------------------------------------------------


@pytest.fixture
def me(practitioner_user):
    return PractitionerFactory(user=practitioner_user, display_name="Dr Me")


def form(action: str = "sign") -> dict:
    return {
        "action": action,
        "consent_confirmed": "on",
        "screening_rechecked": "on",
        "pain_before": "6",
        "plan": "continue",
        "sites-TOTAL_FORMS": "1",
        "sites-INITIAL_FORMS": "0",
        "sites-0-region": "Knee",
        "sites-0-side": "right",
        "sites-0-guidance": "landmark",
        "sites-0-dextrose_percent": "15",
        "sites-0-volume_ml": "5",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }


def test_the_page_refuses_to_sign_a_future_session_with_its_start_and_saves_nothing(practitioner_client, me):
    series = series_with_sessions(practitioner=me, pains=[8], planned=3)
    later = series_appointment(series, 2, NOW + dt.timedelta(days=21))
    page = practitioner_client.get(f"/practice/appointments/{later.pk}/record/").content.decode()
    assert "can be signed once it has started" in page
    response = practitioner_client.post(f"/practice/appointments/{later.pk}/record/", form())
    assert response.status_code == 400
    assert "can be signed once it has started" in response.content.decode()
    assert not SessionRecord.objects.filter(appointment=later).exists()
    later.refresh_from_db()
    assert later.status == Appointment.Status.BOOKED


def test_opening_a_record_leaves_todays_list_saying_no_record_yet(practitioner_client, me):
    appointment = AppointmentFactory(practitioner=me, start=NOW, status=Appointment.Status.CHECKED_IN)
    practitioner_client.get(f"/practice/appointments/{appointment.pk}/record/")
    today = practitioner_client.get("/practice/").content.decode()
    assert "No record yet" in today and "Record in draft" not in today
    practitioner_client.post(f"/practice/appointments/{appointment.pk}/record/", form("save"))
    assert "Record in draft" in practitioner_client.get("/practice/").content.decode()
