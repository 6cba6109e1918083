"""Every safety answer of the intake is a flag (issue 19, item 4): blood thinners and allergies
told in the portal's intake reach the calendar card, the patient page and the record the way the
screening flags do — one reading of "the patient's flags" (patients.selectors.screening_flags)."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group

from clinic import roles
from clinic.localtime import local_date
from clinic.models import ClinicSettings
from patients.models import ScreeningAnswer
from patients.selectors import screening_flags
from tests.factories import PatientFactory
from tests.treatments.factories_calendar import booking, practitioner_with_hours
from tests.treatments.factories_portal import NOW, clear_cache, issue_link  # noqa: F401
from tests.treatments.portal.test_portal_intake import GOOD_FORM

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]


@pytest.fixture(autouse=True)
def frozen_clinic():
    ClinicSettings.load()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def walker():
    patel, main = practitioner_with_hours("Dr Priya Patel")
    patient = PatientFactory(first_name="Walt", last_name="Walker")
    ScreeningAnswer.objects.create(patient=patient, question="diabetes", answer=True, answered_at=NOW)
    appointment = booking(patel, main, NOW + dt.timedelta(days=2), patient=patient, slug="consultation")
    return patient, appointment, patel


def _intake(client, patient, **over):
    response = client.post(f"/portal/{issue_link(patient)}/intake/", {**GOOD_FORM, **over})
    assert response.status_code == 302


def _card_patient_page_and_record(client, desk_client, walker) -> tuple[str, str, str]:
    """The desk's day calendar and patient page, then the practitioner's record of the session."""
    patient, appointment, patel = walker
    calendar = desk_client.get(f"/desk/?date={local_date(appointment.start):%Y-%m-%d}").content.decode()
    patient_page = desk_client.get(f"/desk/patients/{patient.pk}/").content.decode()
    patel.user.groups.add(Group.objects.get(name=roles.PRACTITIONER))
    client.force_login(patel.user)
    record = client.get(f"/practice/appointments/{appointment.pk}/record/").content.decode()
    return calendar, patient_page, record


def test_blood_thinners_and_allergies_from_the_intake_are_flags_with_what_the_patient_wrote(client, walker):
    patient, _appointment, _patel = walker

    _intake(client, patient, blood_thinners_which="apixaban", allergies="Penicillin")

    flags = {f.question: f.note for f in screening_flags([patient.pk])[patient.pk]}
    assert flags == {"anticoagulants": "apixaban", "allergy_other": "Penicillin", "diabetes": ""}


def test_a_later_intake_saying_no_clears_the_flags(client, walker):
    patient, _appointment, _patel = walker
    _intake(client, patient)

    _intake(client, patient, blood_thinners="no", blood_thinners_which="", has_allergies="no", allergies="")

    assert [f.question for f in screening_flags([patient.pk])[patient.pk]] == ["diabetes"]


def test_the_card_the_patient_page_and_the_record_show_the_intakes_flags(client, walker, desk_client):
    patient, appointment, patel = walker
    _intake(client, patient, blood_thinners_which="apixaban", allergies="Penicillin")

    calendar, patient_page, record = _card_patient_page_and_record(client, desk_client, walker)

    for name, page in (("calendar", calendar), ("patient page", patient_page), ("record", record)):
        assert "Takes blood thinners (anticoagulants)" in page, name
        assert "Has another allergy" in page, name
    assert "apixaban" in patient_page and "Penicillin" in patient_page


def test_an_intake_saying_no_allergy_in_words_raises_no_allergy_flag(client, walker):
    """Asked "Are you allergic to anything?", a No stands whatever was typed beside it: no flag."""
    patient, _appointment, _patel = walker

    _intake(client, patient, blood_thinners="no", blood_thinners_which="", has_allergies="no", allergies="None")

    assert [f.question for f in screening_flags([patient.pk])[patient.pk]] == ["diabetes"]
    assert patient.intakes.get().allergies == ""


def test_an_allergy_answered_yes_without_saying_to_what_is_asked_again_and_nothing_is_saved(client, walker):
    patient, _appointment, _patel = walker

    response = client.post(
        f"/portal/{issue_link(patient)}/intake/", {**GOOD_FORM, "has_allergies": "yes", "allergies": " "}
    )

    assert response.status_code == 400
    assert "You said you have an allergy: please write to what." in response.content.decode()
    assert not patient.intakes.exists()


# Pregnancy, where the clinic asks it (ClinicSettings.intake_asks_pregnancy, on by default).


def test_the_intake_asks_about_pregnancy_with_an_answer_to_discuss_it_instead(client, walker):
    patient, _appointment, _patel = walker

    page = client.get(f"/portal/{issue_link(patient)}/intake/").content.decode()

    assert "Are you pregnant, or could you be?" in page
    assert "I would rather talk about it with the clinician" in page


def test_a_clinic_that_does_not_ask_shows_no_pregnancy_question_and_records_no_answer(client, walker):
    patient, _appointment, _patel = walker
    ClinicSettings.objects.filter(pk=1).update(intake_asks_pregnancy=False)
    token = issue_link(patient)

    page = client.get(f"/portal/{token}/intake/").content.decode()
    form = {k: v for k, v in GOOD_FORM.items() if k != "pregnancy"}
    assert client.post(f"/portal/{token}/intake/", form).status_code == 302

    assert "pregnant" not in page
    assert not ScreeningAnswer.objects.filter(patient=patient, question="pregnancy").exists()


def test_no_pregnancy_answer_where_it_is_asked_is_refused_with_nothing_saved(client, walker):
    patient, _appointment, _patel = walker
    form = {k: v for k, v in GOOD_FORM.items() if k != "pregnancy"}

    response = client.post(f"/portal/{issue_link(patient)}/intake/", form)

    assert response.status_code == 400
    assert "Please choose an answer about pregnancy." in response.content.decode()
    assert not patient.intakes.exists()


@pytest.mark.parametrize(
    ("answer", "note"), [("yes", ""), ("discuss", "The patient prefers to discuss it with the clinician")]
)
def test_a_yes_or_rather_discuss_is_the_pregnancy_flag_on_the_card_the_patient_page_and_the_record(
    client, walker, desk_client, answer, note
):
    patient, appointment, patel = walker
    _intake(client, patient, pregnancy=answer)

    calendar, patient_page, record = _card_patient_page_and_record(client, desk_client, walker)

    flags = {f.question: f.note for f in screening_flags([patient.pk])[patient.pk]}
    assert flags["pregnancy"] == note
    for name, page in (("calendar", calendar), ("patient page", patient_page), ("record", record)):
        assert "Pregnant or may be pregnant" in page, name
    if note:
        assert note in patient_page


def test_a_no_raises_no_pregnancy_flag_and_clears_an_earlier_yes(client, walker, desk_client):
    patient, appointment, _patel = walker
    _intake(client, patient, pregnancy="yes")

    _intake(client, patient, pregnancy="no")

    assert "pregnancy" not in {f.question for f in screening_flags([patient.pk])[patient.pk]}
    calendar = desk_client.get(f"/desk/?date={local_date(appointment.start):%Y-%m-%d}").content.decode()
    assert "Pregnant or may be pregnant" not in calendar
