import datetime as dt

import pytest

from clinic.models import ClinicSettings
from patients.models import ConsultationRequest
from tests.factories import PatientFactory
from tests.treatments.factories_portal import NOW, patient_with_series
from treatments.models import OutcomeScore, PainCheckIn
from treatments.portal.services import (
    PortalError,
    cancel_allowed_online,
    portal_appointment_confirm,
    portal_checkin_record,
    portal_move_request,
    portal_screening_record,
)

pytestmark = pytest.mark.django_db


def test_cancel_is_allowed_online_only_outside_the_notice_period():
    clinic = ClinicSettings.load()
    clinic.cancellation_notice_hours = 48
    _, _, appointment = patient_with_series(next_in_days=3)
    assert cancel_allowed_online(appointment=appointment, now=NOW, clinic=clinic)
    assert not cancel_allowed_online(appointment=appointment, now=NOW + dt.timedelta(days=1, hours=1), clinic=clinic)


def test_checkin_without_a_series_still_feeds_the_patients_scores():
    patient = PatientFactory()
    checkin = portal_checkin_record(patient=patient, pain=5, note="", red_flags=[], now=NOW)
    assert checkin.series is None
    assert OutcomeScore.objects.get(patient=patient).value == 5


def test_checkin_refuses_out_of_range_pain_and_unknown_flags():
    patient = PatientFactory()
    with pytest.raises(PortalError):
        portal_checkin_record(patient=patient, pain=12, note="", red_flags=[], now=NOW)
    with pytest.raises(PortalError):
        portal_checkin_record(patient=patient, pain=2, note="", red_flags=["bogus"], now=NOW)
    assert not PainCheckIn.objects.exists()


def test_screening_for_someone_elses_session_is_refused():
    _, _, appointment = patient_with_series()
    with pytest.raises(PortalError):
        portal_screening_record(patient=PatientFactory(), appointment=appointment, answers={}, note="", now=NOW)


def test_confirming_a_cancelled_session_is_refused():
    _, _, appointment = patient_with_series()
    appointment.status, appointment.cancelled_at = "cancelled", NOW
    appointment.save()
    with pytest.raises(PortalError):
        portal_appointment_confirm(appointment=appointment, now=NOW)


def test_move_request_is_tied_to_patient_and_session():
    patient, _, appointment = patient_with_series()
    request = portal_move_request(patient=patient, appointment=appointment, note="after 4pm", now=NOW)
    assert (request.kind, request.patient, request.appointment_id) == ("move", patient, appointment.pk)
    assert ConsultationRequest.objects.get().preferred_times == "after 4pm"
