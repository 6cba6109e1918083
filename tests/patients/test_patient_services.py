import datetime as dt

import pytest

from patients.models import ScreeningAnswer
from patients.phones import InvalidPhone, phone_normalise
from patients.selectors import screening_answers, screening_flags
from patients.services import PatientData, patient_consent_update, patient_register, patient_update
from tests.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(days=10)


def _data(**extra) -> PatientData:
    values = {
        "first_name": " Jane ",
        "last_name": "Doe",
        "date_of_birth": dt.date(1970, 5, 4),
        "phone": "+13125550123",
        "email": "Jane.Doe@Example.com",
        "preferred_channel": "sms",
        "email_consent": True,
        "sms_consent": True,
    }
    values.update(extra)
    return PatientData(**values)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(312) 555-0123", "+13125550123"),
        ("312.555.0123", "+13125550123"),
        ("+1 312 555 0123", "+13125550123"),
        ("+44 20 7946 0958", "+442079460958"),
        ("", ""),
    ],
)
def test_phone_numbers_are_stored_in_e164(typed, stored):
    assert phone_normalise(typed) == stored


@pytest.mark.parametrize("typed", ["123", "not a phone", "+1 000 000 0000"])
def test_impossible_phone_numbers_are_refused(typed):
    with pytest.raises(InvalidPhone):
        phone_normalise(typed)


def test_registering_stores_consent_times_and_a_searchable_name(desk_user):
    patient = patient_register(data=_data(), by=desk_user, now=NOW)
    assert patient.first_name == "Jane"
    assert patient.email == "jane.doe@example.com"
    assert patient.search_name == "doe jane"
    assert patient.email_consent_at == NOW
    assert patient.sms_consent_at == NOW


def test_consent_keeps_its_first_time_and_unticking_withdraws_it(desk_user):
    patient = patient_register(data=_data(), by=desk_user, now=NOW)
    patient = patient_update(patient=patient, data=_data(sms_consent=False), by=desk_user, now=LATER)
    assert patient.email_consent_at == NOW  # still given, still the original time
    assert patient.sms_consent_at is None
    patient = patient_update(patient=patient, data=_data(), by=desk_user, now=LATER)
    assert patient.sms_consent_at == LATER


def test_consent_without_the_address_is_not_recorded(desk_user):
    patient = patient_register(data=_data(email="", email_consent=True), by=desk_user, now=NOW)
    assert patient.email_consent_at is None


def test_the_patient_s_own_tick_for_a_channel_with_no_contact_gives_no_consent(desk_user):
    patient = patient_register(data=_data(phone="", sms_consent=False), by=desk_user, now=NOW)

    changed = patient_consent_update(
        patient=patient, email_consent=True, sms_consent=True, via="online-booking", ip=None, now=LATER
    )

    patient.refresh_from_db()
    assert changed is False
    assert patient.email_consent_at == NOW and patient.sms_consent_at is None


def test_screening_answers_keep_their_history_and_only_changes_are_added(desk_user):
    patient = patient_register(data=_data(screening={"diabetes": True, "pregnancy": False}), by=desk_user, now=NOW)
    assert ScreeningAnswer.objects.filter(patient=patient).count() == 2
    changed = _data(screening={"diabetes": False, "pregnancy": False})
    patient_update(patient=patient, data=changed, by=desk_user, now=LATER)
    assert ScreeningAnswer.objects.filter(patient=patient).count() == 3
    assert screening_answers(patient_id=patient.pk) == {"diabetes": False, "pregnancy": False}


def test_screening_flags_show_only_the_latest_positive_answers(desk_user, django_assert_num_queries):
    jane = patient_register(data=_data(screening={"diabetes": True, "allergy_latex": True}), by=desk_user, now=NOW)
    patient_update(
        patient=jane, data=_data(screening={"diabetes": False, "allergy_latex": True}), by=desk_user, now=LATER
    )
    other = PatientFactory()
    unflagged = PatientFactory()
    ScreeningAnswer.objects.create(patient=other, question="anticoagulants", answer=True, answered_at=NOW)
    with django_assert_num_queries(1):
        flags = screening_flags([jane.pk, other.pk, unflagged.pk])
    assert [f.question for f in flags[jane.pk]] == ["allergy_latex"]
    assert flags[jane.pk][0].label == "Allergic to latex"
    assert [f.question for f in flags[other.pk]] == ["anticoagulants"]
    assert unflagged.pk not in flags


def test_screening_flags_of_nobody_ask_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert screening_flags([]) == {}


def test_a_flag_carries_the_note_of_its_latest_answer_and_the_practitioner_sees_the_desks_flags(desk_user):
    from treatments.clinical.selectors.records import practice_day
    from treatments.models import Appointment

    patient = PatientFactory()
    for question, answer, when, note in [
        ("allergy_latex", True, NOW, "old"),
        ("allergy_latex", True, LATER, "new"),
        ("diabetes", True, NOW, ""),
        ("diabetes", False, LATER, ""),
    ]:
        ScreeningAnswer.objects.create(patient=patient, question=question, answer=answer, answered_at=when, note=note)
    flags = screening_flags([patient.pk])[patient.pk]
    assert [(f.question, f.note) for f in flags] == [("allergy_latex", "new")]
    appointment = AppointmentFactory(patient=patient, start=LATER, end=LATER + dt.timedelta(minutes=30))
    [row] = practice_day(practitioner=appointment.practitioner, day=LATER.date())
    assert isinstance(row.appointment, Appointment) and row.flags == flags
