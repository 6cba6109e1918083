"""The SMS backends: the Twilio backend against a fake Twilio on loopback, and the file backend
used by the demo."""

import base64
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from notifications.sms import FileSmsBackend, SmsError
from notifications.sms import TwilioSmsBackend as HttpSmsBackend


class FakeProvider:
    """A Twilio-shaped provider: records each form POST and answers with a status and JSON."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 201
        self.answer: dict = {"sid": "SM123"}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                provider.requests.append(
                    {"path": self.path, "auth": self.headers["Authorization"], "form": urllib.parse.parse_qs(body)}
                )
                payload = json.dumps(provider.answer).encode()
                self.send_response(provider.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *args):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider():
    settings = {"TWILIO_ACCOUNT_SID": "AC0123", "TWILIO_AUTH_TOKEN": "tok-1", "SMS_FROM": "+13125550000"}
    with FakeProvider() as fake, override_settings(SMS_API_URL=fake.url, **settings):
        yield fake


def test_twilio_backend_posts_a_form_with_basic_auth_of_the_account_sid_and_returns_the_message_sid(provider):
    sid = HttpSmsBackend().send(to="+13125550123", text="Prolo Clinic: reminder")

    assert sid == "SM123"
    (request,) = provider.requests
    assert request["path"] == "/2010-04-01/Accounts/AC0123/Messages.json"
    assert request["auth"] == "Basic " + base64.b64encode(b"AC0123:tok-1").decode()
    assert request["form"] == {"To": ["+13125550123"], "From": ["+13125550000"], "Body": ["Prolo Clinic: reminder"]}


def test_http_backend_raises_on_a_refusal_so_the_sweep_retries(provider):
    provider.status, provider.answer = 429, {"message": "slow down"}

    with pytest.raises(SmsError, match="429"):
        HttpSmsBackend().send(to="+13125550123", text="x")


def test_http_backend_raises_when_the_answer_has_no_message_id(provider):
    provider.answer = {}

    with pytest.raises(SmsError, match="no message id"):
        HttpSmsBackend().send(to="+13125550123", text="x")


def test_http_backend_raises_when_the_provider_is_unreachable():
    with FakeProvider() as fake:
        url = fake.url
    credentials = {"TWILIO_ACCOUNT_SID": "AC0123", "TWILIO_AUTH_TOKEN": "t", "SMS_FROM": "+13125550000"}
    with override_settings(SMS_API_URL=url, **credentials), pytest.raises(SmsError, match="unreachable"):
        HttpSmsBackend().send(to="+13125550123", text="x")


def test_twilio_backend_refuses_to_send_without_its_credentials():
    with override_settings(TWILIO_ACCOUNT_SID="", TWILIO_AUTH_TOKEN=""), pytest.raises(SmsError, match="must be set"):
        HttpSmsBackend().send(to="+13125550123", text="x")


def test_file_backend_writes_one_file_per_text(tmp_path):
    with override_settings(SMS_FILE_PATH=str(tmp_path)):
        sid = FileSmsBackend().send(to="+13125550123", text="Hello")

    (written,) = tmp_path.iterdir()
    assert written.name == f"{sid}.txt"
    assert written.read_text() == "To: +13125550123\n\nHello\n"


@pytest.mark.django_db
def test_the_sweep_sends_a_text_through_the_provider_and_stores_its_id(provider, now):
    from notifications import delivery
    from notifications.models import Message
    from tests.factories import PatientFactory
    from tests.notifications.factories_messages import MessageFactory

    patient = PatientFactory(preferred_channel="sms")
    MessageFactory(patient=patient, channel="sms", send_at=now)

    with override_settings(SMS_BACKEND="notifications.sms.TwilioSmsBackend"):
        delivery.messages_sweep(now=now)

    row = Message.objects.get()
    assert (row.status, row.provider_id, row.to) == (Message.Status.SENT, "SM123", patient.phone)
    sent = provider.requests[0]["form"]["Body"][0]
    assert "/p/" in sent and row.text.split("/p/")[0] == sent.split("/p/")[0]
