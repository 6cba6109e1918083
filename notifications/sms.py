"""Text messages behind one small interface, like Django's e-mail backends: `send` returns the
provider's id or raises SmsError. SMS_BACKEND picks the class."""

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The provider refused or could not be reached; the sweep retries later."""


class BaseSmsBackend:
    def send(self, *, to: str, text: str) -> str:
        raise NotImplementedError


class FileSmsBackend(BaseSmsBackend):
    """The default: one file per text under SMS_FILE_PATH, for development and the demo."""

    def send(self, *, to: str, text: str) -> str:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        sid = f"file-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
        (folder / f"{sid}.txt").write_text(f"To: {to}\n\n{text}\n", encoding="utf-8")
        return sid


outbox: list[dict[str, str]] = []


class LocmemSmsBackend(BaseSmsBackend):
    """Tests: texts collect in notifications.sms.outbox."""

    def send(self, *, to: str, text: str) -> str:
        sid = f"locmem-{len(outbox) + 1}"
        outbox.append({"to": to, "text": text, "sid": sid})
        return sid


class NullSmsBackend(BaseSmsBackend):
    """Sends nothing (benchmarks)."""

    def send(self, *, to: str, text: str) -> str:  # noqa: ARG002 - the backend interface; nothing is sent
        return "null"


class TwilioSmsBackend(BaseSmsBackend):
    """Twilio's Messages API: a form-encoded POST of To / From / Body to
    {SMS_API_URL}/2010-04-01/Accounts/{SID}/Messages.json with HTTP Basic auth (the account SID and
    its auth token), answered by JSON carrying the message's "sid". SMS_API_URL is Twilio's own
    address unless a test points it at a fake on loopback."""

    timeout = 10

    def send(self, *, to: str, text: str) -> str:
        sid, token = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN
        if not (sid and token and settings.SMS_FROM):
            raise SmsError("TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and SMS_FROM must be set.")
        url = f"{settings.SMS_API_URL.rstrip('/')}/2010-04-01/Accounts/{urllib.parse.quote(sid)}/Messages.json"
        body = urllib.parse.urlencode({"To": to, "From": settings.SMS_FROM, "Body": text}).encode()
        credentials = base64.b64encode(f"{sid}:{token}".encode()).decode()
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.loads(response.read().decode() or "{}")
        except urllib.error.HTTPError as exc:
            raise SmsError(f"provider answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise SmsError(f"provider unreachable or unreadable: {exc}") from exc
        message_sid = payload.get("sid")
        if not message_sid:
            raise SmsError("provider answer has no message id")
        return str(message_sid)


# The name deployments set in SMS_BACKEND before the backend was named for its provider.
HttpSmsBackend = TwilioSmsBackend


def twilio_signature(*, url: str, params: dict[str, str], auth_token: str) -> str:
    """Twilio's X-Twilio-Signature: base64 of HMAC-SHA1, keyed by the auth token, over the full
    URL Twilio called followed by every POST parameter's name and value, sorted by name."""
    payload = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_valid(*, url: str, params: dict[str, str], signature: str) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    if not token or not signature:
        return False  # no token configured: nobody can prove to be Twilio
    return hmac.compare_digest(twilio_signature(url=url, params=params, auth_token=token), signature)


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
