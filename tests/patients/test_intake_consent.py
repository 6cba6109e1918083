"""The intake form and the consent signature: what a patient sends is stored whole or not at all,
the name typed must be theirs, and neither a signature nor a published consent text can change."""

import datetime as dt

import pytest
from django.contrib import admin
from django.test import RequestFactory

from patients.models import ConsentSignature, ConsentText, Intake
from patients.selectors_intake import consent_text_current, intake_status
from patients.services_intake import IntakeData, IntakeError, consent_sign, consent_text_publish, intake_record
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)


def _sign(patient, *, typed_name="Nina Berg", agreed=True, version=None, now=NOW):
    version = consent_text_current().version if version is None else version
    return consent_sign(
        patient=patient, version=version, typed_name=typed_name, agreed=agreed, ip="198.51.100.7", now=now
    )


def test_the_seeded_consent_text_is_version_one_in_plain_words():
    text = consent_text_current()
    assert text.version == 1
    assert "soreness" in text.text.lower() and "38 °C" in text.text


def test_an_intake_keeps_each_field_and_the_psfs_activities():
    patient = PatientFactory()
    intake = intake_record(
        patient=patient,
        data=IntakeData(
            blood_thinners=True,
            blood_thinners_which=" apixaban ",
            goals="Walk the dog",
            activities=[("Climbing  stairs", 3), ("Kneeling", 0)],
        ),
        now=NOW,
    )
    assert (intake.blood_thinners_which, intake.goals) == ("apixaban", "Walk the dog")
    assert intake.activities == [{"activity": "Climbing stairs", "score": 3}, {"activity": "Kneeling", "score": 0}]


def test_an_allergy_answered_no_keeps_no_words_typed_beside_it():
    patient = PatientFactory()

    intake = intake_record(
        patient=patient, data=IntakeData(blood_thinners=False, allergic=False, allergies="None"), now=NOW
    )

    assert intake.allergies == ""
    assert not patient.screening_answers.filter(question="allergy_other", answer=True).exists()


@pytest.mark.parametrize(
    "data,message",
    [
        (IntakeData(blood_thinners=True), "please write which one"),
        (IntakeData(blood_thinners=False, allergic=True, allergies=" "), "please write to what"),
        (IntakeData(blood_thinners=False, activities=[("Stairs", 11)]), "from 0"),
        (IntakeData(blood_thinners=False, activities=[(" ", 4)]), "needs the activity"),
        (IntakeData(blood_thinners=False, activities=[("a", 1), ("b", 1), ("c", 1), ("d", 1)]), "at most three"),
    ],
)
def test_bad_intake_answers_are_refused_with_a_sentence_and_nothing_saved(data, message):
    with pytest.raises(IntakeError, match=message):
        intake_record(patient=PatientFactory(), data=data, now=NOW)
    assert not Intake.objects.exists()


def test_the_latest_intake_and_signature_are_shown(django_assert_num_queries):
    patient = PatientFactory(first_name="Nina", last_name="Berg")
    intake_record(patient=patient, data=IntakeData(blood_thinners=False, goals="old"), now=NOW)
    intake_record(patient=patient, data=IntakeData(blood_thinners=False, goals="new"), now=NOW + dt.timedelta(hours=1))
    _sign(patient)
    with django_assert_num_queries(2):
        status = intake_status(patient_id=patient.pk)
        assert status.intake.goals == "new"
        assert status.signature.consent_text.version == 1
    assert status.done


@pytest.mark.parametrize("typed", ["Nina Berg", "  nina   BERG ", "NINA BERG"])
def test_the_typed_name_matches_whatever_the_capitals_and_spaces(typed):
    patient = PatientFactory(first_name="Nina", last_name="Berg")
    signature = _sign(patient, typed_name=typed)
    assert (signature.consent_text.version, signature.agreed, signature.signed_at) == (1, True, NOW)
    assert signature.ip == "198.51.100.7"


@pytest.mark.parametrize(
    "typed,agreed,message",
    [
        ("Nina Bergman", True, "does not match the name we have"),
        ("Berg Nina", True, "does not match the name we have"),
        ("Nina Berg", False, "tick the box"),
    ],
)
def test_a_wrong_name_or_no_tick_signs_nothing(typed, agreed, message):
    patient = PatientFactory(first_name="Nina", last_name="Berg")
    with pytest.raises(IntakeError, match=message):
        _sign(patient, typed_name=typed, agreed=agreed)
    assert not ConsentSignature.objects.exists()


def test_a_version_replaced_while_reading_is_not_signed():
    patient = PatientFactory(first_name="Nina", last_name="Berg")
    consent_text_publish(text="New words", now=NOW)
    with pytest.raises(IntakeError, match="has just been updated"):
        _sign(patient, version=1)
    assert _sign(patient, version=2).consent_text.text == "New words"


def test_a_signature_cannot_be_changed_or_deleted_in_any_way():
    signature = _sign(PatientFactory(first_name="Nina", last_name="Berg"))
    signature.typed_name = "Someone Else"
    with pytest.raises(ValueError, match="cannot be changed"):
        signature.save()
    with pytest.raises(ValueError, match="cannot be changed"):
        ConsentSignature.objects.filter(pk=signature.pk).update(typed_name="Someone Else")
    with pytest.raises(ValueError, match="cannot be deleted"):
        signature.delete()
    with pytest.raises(ValueError, match="cannot be deleted"):
        ConsentSignature.objects.all().delete()
    signature.refresh_from_db()
    assert signature.typed_name == "Nina Berg"


def test_publishing_makes_a_new_version_and_the_old_one_stays_as_it_was():
    first = consent_text_current()
    old_words = first.text
    second = consent_text_publish(text="  Changed words  ", now=NOW)
    assert (second.version, second.text) == (2, "Changed words")
    first.refresh_from_db()
    assert first.text == old_words
    first.text = "rewritten"
    with pytest.raises(ValueError, match="cannot be changed"):
        first.save()


def test_the_admin_only_adds_consent_texts_and_only_reads_signatures():
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    texts = admin.site._registry[ConsentText]
    assert texts.has_add_permission(request)
    assert not texts.has_change_permission(request, consent_text_current())
    assert not texts.has_delete_permission(request, consent_text_current())
    signatures = admin.site._registry[ConsentSignature]
    assert not (
        signatures.has_add_permission(request)
        or signatures.has_change_permission(request)
        or signatures.has_delete_permission(request)
    )


def test_saving_the_consent_text_in_setup_publishes_a_new_version(admin_client_):
    page = admin_client_.get("/admin/patients/consenttext/add/")
    assert page.status_code == 200
    assert "soreness" in page.content.decode().lower()  # starts from the current words
    response = admin_client_.post("/admin/patients/consenttext/add/", {"text": "Version two words"})
    assert response.status_code == 302
    assert list(ConsentText.objects.order_by("version").values_list("version", "text"))[1] == (2, "Version two words")
    assert admin_client_.post("/admin/patients/consenttext/1/change/", {"text": "x"}).status_code in (302, 403)
    assert ConsentText.objects.get(version=1).text != "x"


@pytest.mark.postgres
def test_postgres_refuses_to_change_or_delete_a_signature_behind_djangos_back():
    from django.db import DatabaseError, connection, transaction

    signature = _sign(PatientFactory(first_name="Nina", last_name="Berg"))
    for sql in [
        "UPDATE patients_consentsignature SET typed_name = 'Someone Else' WHERE id = %s",
        "DELETE FROM patients_consentsignature WHERE id = %s",
        "UPDATE patients_consenttext SET text = 'other words' WHERE id = %s",
    ]:
        with pytest.raises(DatabaseError, match="written once"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [signature.pk if "signature" in sql else signature.consent_text_id])
    signature.refresh_from_db()
    assert signature.typed_name == "Nina Berg"


def test_signing_the_same_version_again_keeps_the_first_signature():
    patient = PatientFactory(first_name="Nina", last_name="Berg")
    first = _sign(patient, typed_name="Nina Berg")
    again = _sign(patient, typed_name="NINA BERG", now=NOW + dt.timedelta(minutes=1))
    assert again.pk == first.pk and again.signed_at == NOW
    assert ConsentSignature.objects.count() == 1
