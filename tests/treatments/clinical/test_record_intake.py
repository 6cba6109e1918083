"""The practitioner sees the patient's latest intake and consent signature on the record of a
visit, at a fixed query count whatever the number of submissions; the desk never sees them."""

import datetime as dt

import pytest

from patients.selectors_intake import consent_text_current
from patients.services_intake import IntakeData, consent_sign, intake_record
from tests.factories import AppointmentFactory, PatientFactory, PractitionerFactory, appointment_type
from tests.treatments.factories_practice import NOW, series_with_sessions
from treatments.portal.services_intake import portal_intake_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(practitioner_user, time_machine):
    """Nina's consultation with me in two hours; the clock stands at NOW."""
    time_machine.move_to(NOW, tick=False)
    me = PractitionerFactory(user=practitioner_user, display_name="Dr Me")
    patient = PatientFactory(first_name="Nina", last_name="Berg")
    return AppointmentFactory(
        patient=patient,
        practitioner=me,
        appointment_type=appointment_type("consultation"),
        start=NOW + dt.timedelta(hours=2),
    )


def _send(patient, goals: str, at: dt.datetime):
    intake_record(
        patient=patient,
        data=IntakeData(blood_thinners=True, blood_thinners_which="Warfarin", goals=goals, activities=[("Stairs", 2)]),
        now=at,
    )


def url(appointment) -> str:
    return f"/practice/appointments/{appointment.pk}/record/"


def test_the_consultation_record_shows_the_latest_intake_and_the_signed_version(
    practitioner_client, consultation, django_assert_max_num_queries
):
    patient = consultation.patient
    _send(patient, "Old goal", NOW - dt.timedelta(days=2))
    _send(patient, "Walk to work", NOW - dt.timedelta(days=1))
    consent_sign(
        patient=patient, version=consent_text_current().version, typed_name="Nina Berg", agreed=True, ip=None, now=NOW
    )
    with django_assert_max_num_queries(21) as few:
        practitioner_client.get(url(consultation))
    for n in range(5):
        _send(patient, f"Goal {n}", NOW - dt.timedelta(days=3 + n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = practitioner_client.get(url(consultation)).content.decode()
    section = html[html.index("the patient's form and consent") : html.index("</section>", html.index("record-intake"))]
    assert "Consent signed" in section and "version 1" in section and "signed as “Nina Berg”" in section
    assert "Walk to work" in section and "Old goal" not in section
    assert "<strong>Yes</strong>: Warfarin" in section and "Stairs: 2/10" in section


def test_a_patient_without_a_form_is_said_so(practitioner_client, consultation):
    html = practitioner_client.get(url(consultation)).content.decode()
    assert "The patient has not sent the intake form." in html and "Consent not signed" in html


def test_the_desk_cannot_open_the_record_with_the_intake(desk_client, consultation):
    _send(consultation.patient, "Walk to work", NOW)
    response = desk_client.get(url(consultation))
    assert response.status_code == 403 and b"Walk to work" not in response.content


def test_the_intake_psfs_opens_the_scores_of_the_series_that_follows(practitioner_client, consultation):
    me = consultation.practitioner
    series = series_with_sessions(practitioner=me, pains=[7], planned=3)
    portal_intake_submit(
        patient=series.patient,
        data=IntakeData(blood_thinners=False, activities=[("Stairs", 2), ("Kneeling", 3)]),
        now=NOW - dt.timedelta(days=70),
    )
    html = practitioner_client.get(f"/practice/series/{series.pk}/").content.decode()
    assert "Patient-Specific Functional Scale (baseline, from the patient's intake)</td><td>2.50</td>" in html
    # Another patient's intake never shows here.
    portal_intake_submit(
        patient=PatientFactory(), data=IntakeData(blood_thinners=False, activities=[("Run", 9)]), now=NOW
    )
    assert "<td>9.00</td>" not in practitioner_client.get(f"/practice/series/{series.pk}/").content.decode()
