"""A note for every kind of visit: the consultation that proposes a series, the follow-up whose
decision acts on it, each signed and locked like an injection record."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from tests.factories import AppointmentFactory, PractitionerFactory, appointment_type, protocol
from tests.treatments.factories_practice import NOW, series_appointment, series_with_sessions
from treatments.models import Appointment, OutcomeScore, SeriesRequest, SessionRecord, TreatmentSeries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def me(practitioner_user):
    return PractitionerFactory(user=practitioner_user, display_name="Dr Me")


@pytest.fixture
def desk(desk_user):
    # Its own client: practitioner_client and desk_client share one session.
    client = Client()
    client.force_login(desk_user)
    return client


@pytest.fixture
def consultation(me):
    return AppointmentFactory(
        practitioner=me, appointment_type=appointment_type("consultation"), start=NOW, status="checked_in"
    )


def url(appointment) -> str:
    return f"/practice/appointments/{appointment.pk}/record/"


def consult_form(action="sign", **fields) -> dict:
    knee = protocol()
    return {
        "action": action,
        "history": "Knee pain for 3 years, worse on stairs.",
        "examination": "Medial joint line tender.",
        "imaging_reviewed": "X-ray: KL grade 2.",
        "screening_reviewed": "on",
        "pain_before": "6",
        "assessment": "Knee osteoarthritis, medial.",
        "candidate": "yes",
        "proposed_protocol_id": str(knee.pk),
        "proposed_side": "left",
        "plan_note": "Series of five, monthly.",
        **fields,
    }


def test_a_consultation_opens_the_consultation_note_not_the_injection_form(practitioner_client, consultation):
    html = practitioner_client.get(url(consultation)).content.decode()
    assert "History" in html and "Imaging reviewed" in html and "Candidate for prolotherapy" in html
    assert "Consent for this series" not in html and "Dextrose" not in html
    assert not SessionRecord.objects.exists()


def test_signing_a_consultation_that_chooses_a_protocol_asks_the_desk_to_book_it(
    practitioner_client, consultation, desk
):
    response = practitioner_client.post(url(consultation), consult_form())
    assert response.status_code == 302
    record = SessionRecord.objects.get(appointment=consultation)
    assert (record.kind, record.status) == ("consultation", "signed")
    request = SeriesRequest.objects.get()
    assert (request.protocol, request.side, request.patient) == (protocol(), "left", consultation.patient)
    consultation.refresh_from_db()
    assert consultation.status == Appointment.Status.COMPLETED
    signed = practitioner_client.get(url(consultation)).content.decode()
    assert "Knee OA — Rabago 2013" in signed and "Left" in signed and "The record is locked" in signed

    inbox = desk.get("/desk/requests/").content.decode()
    assert "Book this series" in inbox and "Knee OA — Rabago 2013, side: Left" in inbox
    assert "Medial joint line tender" not in inbox  # the desk never reads the note
    link = f"?patient={consultation.patient_id}&amp;protocol={protocol().pk}&amp;side=left"
    assert link in inbox
    booking = desk.get(
        f"/desk/series/new/?patient={consultation.patient_id}&protocol={protocol().pk}&side=left"
    ).content.decode()
    assert f'<option value="{protocol().pk}" selected>' in booking
    assert '<option value="left" selected>' in booking


def test_a_consultation_without_a_decision_is_not_signed_and_nothing_is_saved(practitioner_client, consultation):
    response = practitioner_client.post(url(consultation), consult_form(candidate="", assessment=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert "write the assessment" in html and "whether the patient is a candidate" in html
    assert not SessionRecord.objects.exists() and not SeriesRequest.objects.exists()


def test_a_candidate_without_a_protocol_is_refused(practitioner_client, consultation):
    response = practitioner_client.post(url(consultation), consult_form(proposed_protocol_id=""))
    assert response.status_code == 400
    assert "choose the protocol to book" in response.content.decode()


def test_a_consultation_that_is_not_a_candidate_asks_the_desk_for_nothing(practitioner_client, consultation):
    response = practitioner_client.post(url(consultation), consult_form(candidate="no", proposed_protocol_id=""))
    assert response.status_code == 302
    assert not SeriesRequest.objects.exists()


def test_a_consultation_draft_is_saved_and_shown_again(practitioner_client, consultation):
    practitioner_client.post(url(consultation), consult_form(action="save"))
    record = SessionRecord.objects.get()
    assert (record.status, record.history) == ("draft", "Knee pain for 3 years, worse on stairs.")
    assert "Knee pain for 3 years" in practitioner_client.get(url(consultation)).content.decode()


def test_the_desk_closes_a_booked_request(desk, practitioner_client, consultation):
    practitioner_client.post(url(consultation), consult_form())
    request = SeriesRequest.objects.get()
    response = desk.post(f"/desk/requests/series/{request.pk}/done/")
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.resolved_at == NOW
    assert "No series waiting to be booked" in desk.get("/desk/requests/").content.decode()


# --- follow-up / review ---------------------------------------------------------------------------


@pytest.fixture
def review(me):
    series_with_sessions(practitioner=me, pains=[8, 7], planned=5)
    series = TreatmentSeries.objects.get()
    later = series_appointment(series, 3, NOW + dt.timedelta(days=14))
    visit = AppointmentFactory(
        practitioner=me,
        patient=series.patient,
        appointment_type=appointment_type("follow-up"),
        start=NOW - dt.timedelta(minutes=15),
        status="checked_in",
    )
    return series, later, visit


def followup_form(**fields) -> dict:
    return {
        "action": "sign",
        "progress": "Stairs easier, still aches at night.",
        "pain_before": "5",
        "outcome_measure": "womac",
        "outcome_value": "38",
        "plan": "continue",
        **fields,
    }


def test_a_follow_up_keeps_its_scores_with_the_series(practitioner_client, review):
    series, _later, visit = review
    html = practitioner_client.get(url(visit)).content.decode()
    assert "Progress since the last visit" in html and "Decision" in html
    assert practitioner_client.post(url(visit), followup_form()).status_code == 302
    scores = dict(OutcomeScore.objects.filter(appointment=visit).values_list("measure", "value"))
    assert scores == {"pain_nrs": 5, "womac": 38}
    assert set(OutcomeScore.objects.filter(appointment=visit).values_list("series_id", flat=True)) == {series.pk}


def test_a_follow_up_that_decides_to_stop_discontinues_the_series(practitioner_client, review):
    series, later, visit = review
    assert practitioner_client.post(url(visit), followup_form(plan="discontinue")).status_code == 302
    series.refresh_from_db()
    later.refresh_from_db()
    assert series.status == TreatmentSeries.Status.DISCONTINUED
    assert series.discontinued_reason == "Stopped by the practitioner at a review."
    assert later.status == Appointment.Status.CANCELLED


def test_a_follow_up_with_a_score_out_of_range_saves_nothing(practitioner_client, review):
    _series, _later, visit = review
    response = practitioner_client.post(url(visit), followup_form(outcome_value="140"))
    assert response.status_code == 400
    assert "This measure goes from 0 to 100" in response.content.decode()
    assert not SessionRecord.objects.filter(appointment=visit).exists()
    assert not OutcomeScore.objects.filter(appointment=visit).exists()
