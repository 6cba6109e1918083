import pytest

from clinic.models import ClinicSettings
from patients.models import ConsultationRequest
from patients.services_consult import self_check_guidance
from tests.treatments.factories_portal import clear_cache  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]

ALL_NO = {
    "long_pain": "yes",
    "blood_thinners": "no",
    "infection": "no",
    "allergy": "no",
    "pregnancy": "no",
    "cancer_pain": "no",
}
VALID = {
    "name": "Ann Walker",
    "email": "ann@example.com",
    "phone": "",
    "preferred_times": "Weekday mornings",
    "message": "",
    "consent": "on",
    "website": "",
}


@pytest.fixture(autouse=True)
def clinic_row():
    return ClinicSettings.load()


def test_self_check_page_asks_yes_no_questions(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get("/consult/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Do you take blood thinners" in text
    assert text.count('type="radio"') == 12


def test_unanswered_self_check_is_refused_with_a_message(client):
    response = client.post("/consult/", {"long_pain": "yes"})
    assert response.status_code == 400
    assert "Please answer yes or no." in response.content.decode()


def test_self_check_leads_to_guidance_and_the_request_form(client):
    response = client.post("/consult/", {**ALL_NO, "infection": "yes"}, follow=True)
    text = response.content.decode()
    assert "Some of your answers are worth talking over" in text
    assert "An infection should be treated" in text
    assert "This self-check is not a diagnosis." in text
    assert "Send my request" in text


def test_guidance_never_claims_a_diagnosis():
    guidance = self_check_guidance(answers={"long_pain": True})
    assert guidance.headline == "Prolotherapy may be worth discussing with a practitioner."
    assert any("not a diagnosis" in p for p in guidance.points)


def test_request_lands_in_the_inbox_with_the_self_check_answers(client):
    client.post("/consult/", {**ALL_NO, "blood_thinners": "yes"})
    response = client.post("/consult/request/", VALID)
    assert response.status_code == 302
    assert response["Location"] == "/consult/thanks/"
    request = ConsultationRequest.objects.get()
    assert request.name == "Ann Walker"
    assert request.self_check["blood_thinners"] is True
    assert request.status == "new"
    assert request.kind == "consultation"


def test_request_without_any_contact_is_refused_and_nothing_saved(client):
    response = client.post("/consult/request/", {**VALID, "email": ""})
    assert response.status_code == 400
    assert "Please give an e-mail address or a phone number" in response.content.decode()
    assert not ConsultationRequest.objects.exists()


def test_request_without_consent_is_refused(client):
    data = {k: v for k, v in VALID.items() if k != "consent"}
    response = client.post("/consult/request/", data)
    assert response.status_code == 400
    assert "We can only get back to you if you agree to be contacted." in response.content.decode()
    assert not ConsultationRequest.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "x" * 121, "Please use at most 120 characters."),
        ("email", "not-an-address", "This does not look like an e-mail address"),
        ("phone", "call me maybe", "Please enter a phone number using digits"),
        ("preferred_times", "y" * 251, "Please use at most 250 characters."),
        ("message", "z" * 2001, "Please use at most 2000 characters."),
    ],
)
def test_over_long_or_malformed_input_is_refused_with_a_message(client, field, value, message):
    response = client.post("/consult/request/", {**VALID, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ConsultationRequest.objects.exists()


def test_honeypot_filled_in_looks_like_success_but_stores_nothing(client):
    response = client.post("/consult/request/", {**VALID, "website": "http://spam.example"})
    assert response.status_code == 302
    assert not ConsultationRequest.objects.exists()


def test_requests_from_one_address_are_limited_per_hour(client):
    for n in range(5):
        assert client.post("/consult/request/", {**VALID, "name": f"Person {n}"}).status_code == 302
    response = client.post("/consult/request/", {**VALID, "name": "Person 6"})
    assert response.status_code == 429
    assert "Please try again within the hour" in response.content.decode()
    assert response["Retry-After"] == "3600"
    assert ConsultationRequest.objects.count() == 5


def test_another_address_is_not_limited(client):
    for n in range(5):
        client.post("/consult/request/", {**VALID, "name": f"Person {n}"})
    response = client.post("/consult/request/", VALID, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302


def test_behind_a_trusted_proxy_the_limit_is_per_client_not_for_the_whole_world(client, settings):
    settings.TRUSTED_PROXIES = ["172.28.0.10"]
    via_proxy = {"REMOTE_ADDR": "172.28.0.10"}
    for n in range(5):
        client.post(
            "/consult/request/", {**VALID, "name": f"Person {n}"}, HTTP_X_FORWARDED_FOR="203.0.113.66", **via_proxy
        )
    assert client.post("/consult/request/", VALID, HTTP_X_FORWARDED_FOR="203.0.113.66", **via_proxy).status_code == 429
    assert client.post("/consult/request/", VALID, HTTP_X_FORWARDED_FOR="192.0.2.10", **via_proxy).status_code == 302


def test_phone_only_request_is_accepted(client):
    response = client.post("/consult/request/", {**VALID, "email": "", "phone": "+1 (312) 555-0123"})
    assert response.status_code == 302
    assert ConsultationRequest.objects.get().phone == "+1 (312) 555-0123"


# Nothing listens on port 1: a real refused connection, as when Redis has stopped.
REDIS_DOWN = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


def test_with_the_cache_down_a_request_is_still_taken_and_the_outage_logged(client, settings, caplog):
    settings.CACHES = REDIS_DOWN

    response = client.post("/consult/request/", VALID)

    assert response.status_code == 302
    assert ConsultationRequest.objects.get().name == "Ann Walker"
    assert "rate limit consult not counted, the cache is unreachable: ConnectionError" in caplog.text
