"""Text messages behind one small interface, like Django's e-mail backends: `send` returns the
provider's id or raises SmsError. SMS_BACKEND picks the class."""

import datetime as dt
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


class HttpSmsBackend(BaseSmsBackend):
    """A Twilio-shaped HTTP provider: a form POST of To / From / Body to SMS_API_URL with a bearer
    token, answered by JSON carrying the message id as "sid"."""

    timeout = 10

    def send(self, *, to: str, text: str) -> str:
        if not settings.SMS_API_URL:
            raise SmsError("SMS_API_URL is not set.")
        body = urllib.parse.urlencode({"To": to, "From": settings.SMS_FROM, "Body": text}).encode()
        request = urllib.request.Request(
            settings.SMS_API_URL,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {settings.SMS_API_TOKEN}",
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
        sid = payload.get("sid") or payload.get("id")
        if not sid:
            raise SmsError("provider answer has no message id")
        return str(sid)


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
