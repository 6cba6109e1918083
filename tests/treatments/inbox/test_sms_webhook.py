"""Patients reply by text: Twilio posts each reply to /sms/inbound/ with an HMAC signature."""

import datetime as dt
import itertools
import urllib.parse

import pytest
from django.utils import timezone

from notifications.models import InboundSms, Message
from notifications.sms import twilio_signature
from patients.models import ConsultationRequest
from tests.factories import AppointmentFactory, PatientFactory
from tests.notifications.factories_messages import MessageFactory
from treatments.models import Appointment

pytestmark = pytest.mark.django_db

TOKEN = "twilio-auth-token-for-tests"
URL = "/sms/inbound/"


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SITE_URL = "https://clinic.example.com"


def _post(client, params: dict[str, str], *, signature: str | None = None, token: str = TOKEN, **headers):
    if signature is None:
        signature = twilio_signature(url="https://clinic.example.com" + URL, params=params, auth_token=token)
    return client.post(
        URL,
        data=urllib.parse.urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
        **headers,
    )


_sids = itertools.count(1)


def _reply(patient, body: str, *, sid: str | None = None) -> dict[str, str]:
    sid = sid or f"SM{next(_sids):032d}"
    return {"MessageSid": sid, "AccountSid": "AC1", "From": patient.phone, "To": "+13125550000", "Body": body}


def _texted(appointment, *, kind=Message.Kind.REMINDER, hours_ago: float = 1, to: str | None = None) -> Message:
    """A text that asked for a C about `appointment`, sent `hours_ago` to the patient's phone."""
    sent_at = timezone.now() - dt.timedelta(hours=hours_ago)
    return MessageFactory(
        patient=appointment.patient,
        appointment_id=appointment.pk,
        series_id=appointment.series_id,
        kind=kind,
        channel="sms",
        status=Message.Status.SENT,
        send_at=sent_at,
        sent_at=sent_at,
        to=to or appointment.patient.phone,
    )


def test_the_signature_follows_twilios_documented_example():
    # https://www.twilio.com/docs/usage/security#validating-requests
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234", "From": "+12349013030",
              "To": "+18005551212"}  # fmt: skip
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"

    assert twilio_signature(url=url, params=params, auth_token="12345") == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


@pytest.mark.parametrize("word", ["C", "c", "Yes", " YES! "])
def test_a_reply_of_c_or_yes_confirms_the_session_the_last_reminder_was_about(client, word):
    patient = PatientFactory()
    later = AppointmentFactory(patient=patient, start=timezone.now() + dt.timedelta(days=9))
    nearer = AppointmentFactory(patient=patient, start=timezone.now() + dt.timedelta(days=2))
    _texted(nearer, hours_ago=30)
    _texted(later, hours_ago=2)  # the last text that asked for a C: about the later session

    response = _post(client, _reply(patient, word))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    nearer.refresh_from_db()
    later.refresh_from_db()
    assert later.patient_confirmed_at is not None
    assert nearer.patient_confirmed_at is None
    assert not ConsultationRequest.objects.exists()


def test_the_same_signed_webhook_six_times_confirms_one_session_and_files_nothing(client):
    patient = PatientFactory()
    sessions = [
        AppointmentFactory(patient=patient, start=timezone.now() + dt.timedelta(days=d)) for d in (2, 9, 16, 23)
    ]
    _texted(sessions[0])
    replay = _reply(patient, "C", sid="SM" + "a" * 32)

    answers = [_post(client, replay).status_code for _ in range(6)]
    hello = _reply(patient, "Running late", sid="SM" + "b" * 32)
    answers += [_post(client, hello).status_code for _ in range(6)]

    assert answers == [200] * 12
    confirmed = [a.pk for a in Appointment.objects.filter(patient_confirmed_at__isnull=False)]
    assert confirmed == [sessions[0].pk]
    assert ConsultationRequest.objects.count() == 1  # "Running late", once
    assert InboundSms.objects.count() == 2


def test_twilios_idempotency_token_makes_a_retry_with_a_new_sid_count_once(client):
    patient = PatientFactory(first_name="Ann")

    first = _post(client, _reply(patient, "Can I bring my son?"), HTTP_I_TWILIO_IDEMPOTENCY_TOKEN="tok-1")
    retry = _post(client, _reply(patient, "Can I bring my son?"), HTTP_I_TWILIO_IDEMPOTENCY_TOKEN="tok-1")
    other = _post(client, _reply(patient, "Can I bring my son?"), HTTP_I_TWILIO_IDEMPOTENCY_TOKEN="tok-2")

    assert (first.status_code, retry.status_code, other.status_code) == (200, 200, 200)
    assert ConsultationRequest.objects.count() == 2


def test_a_family_sharing_a_phone_confirms_the_session_the_last_reminder_named_not_the_earliest(client):
    mother = PatientFactory(first_name="Rosa", phone="+13125550144")
    son = PatientFactory(first_name="Leo", phone="+13125550144")
    hers = AppointmentFactory(patient=mother, start=timezone.now() + dt.timedelta(days=1))
    his = AppointmentFactory(patient=son, start=timezone.now() + dt.timedelta(days=3))
    _texted(hers, hours_ago=20)
    _texted(his, hours_ago=1)

    assert _post(client, _reply(son, "YES")).status_code == 200

    hers.refresh_from_db()
    his.refresh_from_db()
    assert his.patient_confirmed_at is not None
    assert hers.patient_confirmed_at is None


def test_of_two_reminders_sent_in_one_sweep_a_c_confirms_the_one_that_went_last(client):
    """One sweep's batch shares its sent_at and sends in (send_at, id) order: the row made first
    can be the text that left last."""
    mother = PatientFactory(first_name="Rosa", phone="+13125550145")
    son = PatientFactory(first_name="Leo", phone="+13125550145")
    hers = AppointmentFactory(patient=mother, start=timezone.now() + dt.timedelta(days=1))
    his = AppointmentFactory(patient=son, start=timezone.now() + dt.timedelta(days=1, hours=1))
    to_her, to_him = _texted(hers), _texted(his)
    # Claimed together: his was due a minute earlier, so it left first and hers last.
    Message.objects.filter(pk=to_her.pk).update(send_at=to_her.sent_at - dt.timedelta(minutes=1))
    Message.objects.filter(pk=to_him.pk).update(send_at=to_her.sent_at - dt.timedelta(minutes=2))
    Message.objects.filter(pk=to_him.pk).update(sent_at=to_her.sent_at)

    assert _post(client, _reply(mother, "C")).status_code == 200

    hers.refresh_from_db()
    his.refresh_from_db()
    assert hers.patient_confirmed_at is not None
    assert his.patient_confirmed_at is None


def test_a_c_after_the_reminded_session_was_cancelled_goes_to_the_desk_and_confirms_nothing(client):
    patient = PatientFactory()
    reminded = AppointmentFactory(patient=patient, start=timezone.now() + dt.timedelta(days=1))
    other = AppointmentFactory(patient=patient, start=timezone.now() + dt.timedelta(days=8))
    _texted(reminded)
    Appointment.objects.filter(pk=reminded.pk).update(status=Appointment.Status.CANCELLED, cancelled_at=timezone.now())

    assert _post(client, _reply(patient, "C")).status_code == 200

    assert not Appointment.objects.filter(patient_confirmed_at__isnull=False).exists()
    assert ConsultationRequest.objects.get().message == "C"
    other.refresh_from_db()
    assert other.patient_confirmed_at is None


def test_a_c_after_a_series_confirmation_cannot_be_tied_to_one_session_and_goes_to_the_desk(client):
    patient = PatientFactory()
    session = AppointmentFactory(patient=patient, start=timezone.now() + dt.timedelta(days=2))
    series_text = _texted(session, kind=Message.Kind.CONFIRMATION)
    Message.objects.filter(pk=series_text.pk).update(appointment_id=None)  # a whole series' dates

    _post(client, _reply(patient, "C"))

    session.refresh_from_db()
    assert session.patient_confirmed_at is None
    assert ConsultationRequest.objects.get().message == "C"


def test_a_call_without_a_message_sid_is_refused_and_nothing_is_stored(client):
    patient = PatientFactory()
    session = AppointmentFactory(patient=patient, start=timezone.now() + dt.timedelta(days=2))
    _texted(session)
    params = _reply(patient, "C")
    del params["MessageSid"]

    response = _post(client, params)

    assert response.status_code == 400
    assert response.content.decode() == "MessageSid is missing or longer than 64 characters."
    session.refresh_from_db()
    assert session.patient_confirmed_at is None
    assert not InboundSms.objects.exists()


def test_stop_withdraws_sms_consent_at_once_and_moves_pending_texts_to_email(client):
    patient = PatientFactory(preferred_channel="sms")
    pending = MessageFactory(patient=patient, channel="sms", send_at=timezone.now() + dt.timedelta(hours=1))

    assert _post(client, _reply(patient, "STOP")).status_code == 200

    patient.refresh_from_db()
    pending.refresh_from_db()
    assert patient.sms_consent_at is None
    assert patient.email_consent_at is not None
    # One message per moment whatever the channel: it now goes by the channel still consented to.
    assert pending.status == Message.Status.PENDING
    assert pending.channel == "email"


def test_any_other_reply_lands_in_the_desks_requests_with_its_words(client, desk_client):
    patient = PatientFactory(first_name="Ann", last_name="Walker")

    _post(client, _reply(patient, "Can we make it Thursday afternoon?"))

    request = ConsultationRequest.objects.get()
    assert (request.kind, request.patient, request.message) == (
        "sms_reply",
        patient,
        "Can we make it Thursday afternoon?",
    )
    page = desk_client.get("/desk/requests/").content.decode()
    assert "Can we make it Thursday afternoon?" in page
    assert "Replied by text" in page


def test_c_with_nothing_left_to_confirm_goes_to_the_desk(client):
    patient = PatientFactory()

    _post(client, _reply(patient, "C"))

    assert ConsultationRequest.objects.get().message == "C"


def test_a_bad_signature_is_refused_and_nothing_is_stored(client):
    patient = PatientFactory()
    appointment = AppointmentFactory(patient=patient)

    assert _post(client, _reply(patient, "C"), signature="bm90LWEtc2lnbmF0dXJl").status_code == 403
    assert _post(client, _reply(patient, "hello"), token="someone-elses-token").status_code == 403
    assert _post(client, _reply(patient, "STOP"), signature="").status_code == 403

    appointment.refresh_from_db()
    patient.refresh_from_db()
    assert appointment.patient_confirmed_at is None
    assert patient.sms_consent_at is not None
    assert not ConsultationRequest.objects.exists()


def test_without_a_configured_token_every_call_is_refused(client, settings):
    patient = PatientFactory()
    params = _reply(patient, "STOP")
    signature = twilio_signature(url="https://clinic.example.com" + URL, params=params, auth_token="")
    settings.TWILIO_AUTH_TOKEN = ""

    assert _post(client, params, signature=signature).status_code == 403


def test_a_text_from_a_number_no_patient_has_goes_to_the_desk_once(client, desk_client):
    params = {"MessageSid": "SM" + "e" * 32, "From": "+13125550999", "To": "+13125550000", "Body": "New phone, C"}

    answers = [_post(client, params).status_code for _ in range(3)]

    assert answers == [200] * 3
    request = ConsultationRequest.objects.get()
    assert (request.kind, request.patient, request.phone, request.message) == (
        "sms_reply",
        None,
        "+13125550999",
        "New phone, C",
    )
    assert not Appointment.objects.filter(patient_confirmed_at__isnull=False).exists()
    page = desk_client.get("/desk/requests/").content.decode()
    assert "Text from a number no patient has" in page and "New phone, C" in page


@pytest.mark.parametrize("body", ["x" * 1601, "x" * 9000, "   "])
def test_an_oversized_or_empty_body_is_refused_and_nothing_is_stored(client, body):
    patient = PatientFactory()

    response = _post(client, _reply(patient, body))

    assert response.status_code == 400
    assert response.content.decode() in (
        "Body is empty or longer than 1600 characters.",
        "The request is larger than an inbound text can be (8 KB).",
    )
    assert not ConsultationRequest.objects.exists()


def test_the_webhook_takes_only_post(client):
    assert client.get(URL).status_code == 405
    assert Appointment.objects.count() == 0


def test_a_c_reply_shows_as_confirmed_on_the_desk_calendar_and_the_patient_page(client, desk_client):
    from clinic.localtime import local_date

    patient = PatientFactory()
    appointment = AppointmentFactory(patient=patient, start=timezone.now() + dt.timedelta(days=2))
    _texted(appointment)
    day = local_date(appointment.start).isoformat()
    assert "cal-confirmed" not in desk_client.get(f"/desk/?date={day}").content.decode()

    _post(client, _reply(patient, "C"))

    calendar = desk_client.get(f"/desk/?date={day}").content.decode()
    card = calendar[calendar.index(f'id="appt-{appointment.pk}"') :]
    assert "cal-confirmed" in card[: card.index("</article>")]
    assert "Confirmed" in desk_client.get(f"/desk/patients/{patient.pk}/").content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_webhook_posted_four_times_at_once_is_acted_on_once():
    from django.test import Client

    from tests.concurrency import race

    patient = PatientFactory()
    session = AppointmentFactory(patient=patient, start=timezone.now() + dt.timedelta(days=2))
    _texted(session)
    hello = _reply(patient, "Is parking free?")

    answers = race(4, lambda: _post(Client(), hello).status_code)

    assert answers == [200] * 4
    assert ConsultationRequest.objects.count() == 1
    assert InboundSms.objects.count() == 1
