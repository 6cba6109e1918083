"""The intake form and the consent signature in the portal: the home page asks for them before a
first visit, a good form is stored with its PSFS baseline, a bad one saves nothing and says why,
and the signature keeps the exact version, the time and the client's address."""

import datetime as dt

import pytest
import time_machine

from clinic.models import AuditEntry, ClinicSettings
from patients.models import ConsentSignature, Intake
from tests.factories import AppointmentFactory, PatientFactory
from tests.treatments.factories_portal import NOW, clear_cache, issue_link, patient_with_series  # noqa: F401
from treatments.models import OutcomeScore

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]

GOOD_FORM = {
    "history": "Knee pain for a year",
    "medicines": "Paracetamol",
    "blood_thinners": "yes",
    "blood_thinners_which": "Apixaban",
    "has_allergies": "yes",
    "allergies": "Latex",
    "pregnancy": "no",
    "previous_treatments": "Physiotherapy",
    "imaging": "MRI in 2025",
    "goals": "Walk to the shops",
    "activity_1": "Climbing stairs",
    "score_1": "3",
    "activity_2": "Kneeling",
    "score_2": "4",
}


@pytest.fixture(autouse=True)
def frozen_clinic():
    """The clinic's settings exist (their first load is not the page's cost); time stands still."""
    ClinicSettings.load()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def newcomer():
    """A new patient with a consultation in five days and a link."""
    patient = PatientFactory(first_name="Nina", last_name="Berg")
    AppointmentFactory(patient=patient, start=NOW + dt.timedelta(days=5), created_at=NOW)
    return patient, issue_link(patient)


def test_home_asks_a_new_patient_for_the_form_then_the_signature(client, newcomer, django_assert_max_num_queries):
    patient, token = newcomer
    with django_assert_max_num_queries(8):
        text = client.get(f"/portal/{token}/").content.decode()
    assert "Before your first visit" in text and f"/portal/{token}/intake/" in text

    client.post(f"/portal/{token}/intake/", GOOD_FORM)
    text = client.get(f"/portal/{token}/").content.decode()
    assert "please read and sign your consent" in text and f"/portal/{token}/consent/" in text

    client.post(f"/portal/{token}/consent/", {"version": 1, "agreed": "on", "typed_name": "nina berg"})
    assert "Before your first visit" not in client.get(f"/portal/{token}/").content.decode()


def test_home_does_not_ask_a_patient_who_has_had_a_visit(client):
    patient, _series, _upcoming = patient_with_series(steps_done=1)
    assert "Before your first visit" not in client.get(f"/portal/{issue_link(patient)}/").content.decode()


def test_a_good_form_is_stored_with_its_psfs_baseline_and_leads_to_the_consent(client, newcomer):
    patient, token = newcomer
    response = client.post(f"/portal/{token}/intake/", GOOD_FORM)
    assert response.status_code == 302 and response["Location"] == f"/portal/{token}/consent/"
    intake = Intake.objects.get(patient=patient)
    assert (intake.blood_thinners, intake.blood_thinners_which, intake.submitted_at) == (True, "Apixaban", NOW)
    assert intake.activities == [{"activity": "Climbing stairs", "score": 3}, {"activity": "Kneeling", "score": 4}]
    baseline = OutcomeScore.objects.get(patient=patient)
    assert (baseline.measure, baseline.value, baseline.source) == ("psfs", 3.5, "intake")
    assert AuditEntry.objects.filter(object_type="patients.intake", action="create", via="portal").exists()
    # Sent again: the form starts from the latest answers.
    assert "Walk to the shops" in client.get(f"/portal/{token}/intake/").content.decode()


@pytest.mark.parametrize(
    "change,message",
    [
        ({"blood_thinners_which": ""}, "You said you take blood thinners: please write which one."),
        ({"blood_thinners": ""}, "Please answer yes or no."),
        ({"score_2": ""}, "Please give this activity a score from 0 to 10."),
        ({"activity_1": ""}, "Please name the activity you scored."),
        ({"score_1": "12"}, "Select a valid choice"),
    ],
)
def test_a_bad_form_says_what_is_wrong_and_saves_nothing(client, newcomer, change, message):
    patient, token = newcomer
    response = client.post(f"/portal/{token}/intake/", {**GOOD_FORM, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Intake.objects.exists() and not OutcomeScore.objects.exists()


def test_signing_keeps_the_version_the_time_and_the_address(client, newcomer):
    patient, token = newcomer
    page = client.get(f"/portal/{token}/consent/").content.decode()
    assert "Consent text (version 1)" in page
    response = client.post(
        f"/portal/{token}/consent/",
        {"version": 1, "agreed": "on", "typed_name": "  Nina  Berg "},
        REMOTE_ADDR="198.51.100.20",
    )
    assert response.status_code == 302
    signature = ConsentSignature.objects.get(patient=patient)
    assert (signature.consent_text.version, signature.signed_at, signature.ip) == (1, NOW, "198.51.100.20")
    assert "You signed this text on" in client.get(f"/portal/{token}/consent/").content.decode()


@pytest.mark.parametrize(
    "form,message",
    [
        ({"version": 1, "agreed": "on", "typed_name": "Anna Berg"}, "does not match the name we have for you"),
        ({"version": 1, "typed_name": "Nina Berg"}, "Please tick the box to say you agree."),
        ({"version": 1, "agreed": "on", "typed_name": ""}, "Please type your full name to sign."),
        ({"version": 7, "agreed": "on", "typed_name": "Nina Berg"}, "has just been updated"),
    ],
)
def test_a_wrong_signature_is_refused_with_a_sentence(client, newcomer, form, message):
    _patient, token = newcomer
    response = client.post(f"/portal/{token}/consent/", form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ConsentSignature.objects.exists()


def test_another_link_never_shows_or_signs_for_this_patient(client, newcomer):
    patient, _token = newcomer
    other_token = issue_link(PatientFactory(first_name="Ola", last_name="Lind"))
    response = client.post(f"/portal/{other_token}/consent/", {"version": 1, "agreed": "on", "typed_name": "Nina Berg"})
    assert response.status_code == 400
    assert not ConsentSignature.objects.filter(patient=patient).exists()
    assert client.get("/portal/not-a-real-token/intake/").status_code == 404
