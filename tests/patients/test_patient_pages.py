import datetime as dt

import pytest

from clinic.models import AuditEntry
from patients.models import Patient, ScreeningAnswer, ScreeningQuestion
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

FORM = {
    "first_name": "Jane",
    "last_name": "Doe",
    "date_of_birth": "1970-05-04",
    "phone": "(312) 555-0123",
    "email": "jane@example.com",
    "preferred_channel": "sms",
    "sms_consent": "on",
    "emergency_contact_name": "John Doe",
    "emergency_contact_phone": "312 555 0199",
    "screen_anticoagulants": "on",
}


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC), tick=False)


@pytest.mark.parametrize("url", ["/desk/patients/", "/desk/patients/new/"])
def test_anonymous_visitors_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/desk/patients/", "/desk/patients/new/"])
def test_staff_without_a_role_are_refused(client, no_role_user, url):
    client.force_login(no_role_user)
    assert client.get(url).status_code == 403


def test_edit_page_refuses_staff_without_a_role(client, no_role_user):
    patient = PatientFactory()
    client.force_login(no_role_user)
    assert client.get(f"/desk/patients/{patient.pk}/edit/").status_code == 403


@pytest.mark.parametrize("who", ["desk_client", "practitioner_client", "admin_client_"])
def test_desk_practitioner_and_admin_may_search(request, who):
    client = request.getfixturevalue(who)
    assert client.get("/desk/patients/").status_code == 200


def test_registering_goes_to_the_patient_page_with_e164_phone_and_flag(desk_client):
    response = desk_client.post("/desk/patients/new/", FORM)
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/desk/patients/{patient.pk}/"
    assert patient.phone == "+13125550123"
    assert patient.emergency_contact_phone == "+13125550199"
    assert patient.sms_consent_at is not None
    assert patient.email_consent_at is None
    answers = dict(ScreeningAnswer.objects.filter(patient=patient).values_list("question", "answer"))
    assert answers["anticoagulants"] is True
    assert answers["diabetes"] is False
    assert AuditEntry.objects.filter(action="create", patient_id=patient.pk).exists()


def test_a_second_identical_registration_warns_and_saves_nothing_until_confirmed(desk_client):
    first = PatientFactory(first_name="Jane", last_name="Doe", date_of_birth=dt.date(1970, 5, 4), phone="")
    form = {**FORM, "phone": "", "email": "", "preferred_channel": "email", "sms_consent": ""}
    response = desk_client.post("/desk/patients/new/", form)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Possible duplicate" in page
    assert f"/desk/patients/{first.pk}/" in page
    assert Patient.objects.count() == 1
    response = desk_client.post("/desk/patients/new/", {**form, "confirm_not_duplicate": "on"})
    assert response.status_code == 302
    assert Patient.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "channel"),
    [("phone", "+1 312 555 0123", "sms"), ("email", "JANE@example.com", "email")],
)
def test_same_phone_or_email_is_a_possible_duplicate(desk_client, field, value, channel):
    PatientFactory(first_name="Other", last_name="Person", phone="+13125550123", email="jane@example.com")
    form = {**FORM, "phone": "", "email": "", "preferred_channel": channel, "sms_consent": "", field: value}
    response = desk_client.post("/desk/patients/new/", form)
    assert "Possible duplicate" in response.content.decode()
    assert Patient.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"phone": "12"}, "This is not a valid phone number"),
        ({"date_of_birth": "2031-01-01"}, "cannot be in the future"),
        ({"date_of_birth": "1970-02-31"}, "Enter a valid date"),
        ({"first_name": ""}, "This field is required"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"phone": "", "preferred_channel": "sms"}, "Text messages need a mobile phone number"),
        ({"email": "", "email_consent": "on"}, "E-mail messages need an e-mail address"),
    ],
)
def test_bad_input_shows_a_clear_message_and_saves_nothing(desk_client, changes, message):
    response = desk_client.post("/desk/patients/new/", {**FORM, **changes})
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "Nothing was saved" in page
    assert not Patient.objects.exists()
    assert not ScreeningAnswer.objects.exists()


def test_editing_withdraws_consent_and_records_changed_answers(desk_client):
    desk_client.post("/desk/patients/new/", FORM)
    patient = Patient.objects.get()
    form = {k: v for k, v in FORM.items() if k not in ("sms_consent", "screen_anticoagulants")}
    page = desk_client.get(f"/desk/patients/{patient.pk}/edit/").content.decode()
    assert 'value="(312) 555-0123"' in page
    response = desk_client.post(f"/desk/patients/{patient.pk}/edit/", {**form, "preferred_channel": "email"})
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.sms_consent_at is None
    latest = ScreeningAnswer.objects.filter(patient=patient, question="anticoagulants").first()
    assert latest.answer is False
    assert (
        ScreeningAnswer.objects.filter(patient=patient).count() == len(ScreeningQuestion) + 1
    )  # every one, and the change


def test_editing_an_unknown_patient_is_404(desk_client):
    assert desk_client.get("/desk/patients/999999/edit/").status_code == 404


def test_search_by_name_phone_and_birth_date_links_to_the_patient_page(desk_client):
    jane = PatientFactory(first_name="Jane", last_name="Doe", phone="+13125550123", date_of_birth=dt.date(1970, 5, 4))
    PatientFactory(first_name="Bob", last_name="Smith", phone="+13125550999", date_of_birth=dt.date(1980, 1, 1))
    for query in ["doe", "Do", "Jane Doe", "doe jane", "Doe, Jane", "(312) 555-0123", "1970-05-04", "05/04/1970"]:
        page = desk_client.get("/desk/patients/", {"q": query}).content.decode()
        assert f'href="/desk/patients/{jane.pk}/"' in page, query
        assert "Smith" not in page, query


def test_search_without_a_match_says_so(desk_client):
    PatientFactory(last_name="Doe")
    page = desk_client.get("/desk/patients/", {"q": "zzz"}).content.decode()
    assert "No patient matches" in page


def test_search_with_a_broken_number_explains_what_to_type(desk_client):
    response = desk_client.get("/desk/patients/", {"q": "12ab"})
    assert "type a name, an e-mail address, four or more digits of a phone number" in response.content.decode()


@pytest.mark.parametrize("matches", [1, 30])
def test_search_page_uses_a_fixed_number_of_queries(desk_client, django_assert_max_num_queries, matches):
    for n in range(matches):
        PatientFactory(last_name=f"Doe{n:02d}")
    desk_client.get("/desk/patients/")  # session and clinic settings exist from here on
    # session, user, roles, the search, clinic settings, session save (+2 savepoints)
    with django_assert_max_num_queries(9):
        response = desk_client.get("/desk/patients/", {"q": "doe"})
    assert response.content.decode().count("patient found" if matches == 1 else f"{matches} patients found") == 1
