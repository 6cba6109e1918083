"""Issue 10, "done when": the desk moves two sessions on the calendar; the sweep writes the change
notices as files (e-mail under var/mail, texts under var/sms, the file backends the product uses
when no server is configured); the e-mail and the text name the new time, the text in at most two
SMS segments; the patient answers the text with "C" through the signed inbound webhook; the
calendar card says Confirmed."""

import datetime as dt
import email
import email.policy
import urllib.parse
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from notifications.delivery import messages_sweep
from notifications.segments import sms_segments
from notifications.sms import twilio_signature
from tests.factories import PASSWORD, PatientFactory
from tests.seeds import reseed
from tests.treatments.factories_calendar import at, practitioner_with_hours, series_booking
from treatments.models import Appointment
from treatments.scheduling import messaging

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = dt.date(2027, 5, 11)  # a Tuesday later than the real clock, so the browser keeps its cookie
NOW = at(DAY - dt.timedelta(days=5), 10, 0)  # the Thursday before, mid-morning (outside quiet hours)
TOKEN = "twilio-auth-token-for-the-journey"


@pytest.fixture(autouse=True)
def _files_under_var(settings, tmp_path, transactional_db):
    reseed()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "var" / "mail")
    settings.SMS_BACKEND = "notifications.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "var" / "sms")
    settings.TWILIO_AUTH_TOKEN = TOKEN
    return tmp_path / "var"


def _emails(folder: Path) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                found.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return found


def _texts(folder: Path) -> list[str]:
    return [path.read_text(encoding="utf-8").split("\n\n", 1)[1].strip() for path in sorted(folder.glob("*.txt"))]


def _move_with_the_keyboard(page, appointment: Appointment, typed: str, shown: str) -> None:
    page.locator(f"#appt-{appointment.pk} .cal-name a").focus()
    page.keyboard.press("m")
    dialog = page.get_by_role("dialog")
    expect(page.get_by_label("Time")).to_be_focused()
    page.keyboard.type(typed)  # hours then minutes in Chromium's time field
    page.keyboard.press("Enter")
    expect(dialog).to_contain_text(f"To: {shown}")
    dialog.get_by_role("button", name="Confirm the move").click()
    # The card at its new time: the move is saved (the "Moved" note may be the previous move's).
    expect(page.locator(f"#appt-{appointment.pk}")).to_contain_text(f"{shown[-5:]}–")


def test_desk_moves_sessions_patients_read_the_new_time_and_a_text_reply_shows_confirmed(
    page, login, desk_user, live_server, _files_under_var
):
    var = _files_under_var
    with time_machine.travel(NOW, tick=True):
        ada, main = practitioner_with_hours("Dr Ada Stone")
        maria = PatientFactory(first_name="Maria", last_name="Lopez", preferred_channel="email")
        zoe = PatientFactory(first_name="Zoë", last_name="Łukasiewicz", preferred_channel="sms")
        later = DAY + dt.timedelta(days=28)
        _s1, (by_email, _next1) = series_booking(ada, main, [at(DAY, 9), at(later, 9)], patient=maria)
        _s2, (by_text, _next2) = series_booking(ada, main, [at(DAY, 10), at(later, 10)], patient=zoe)
        # Both were sent their dates when the series were booked: a move must now be told.
        for series in (_s1, _s2):
            messaging.series_booked(series=series, now=timezone.now())
        messages_sweep(now=timezone.now())
        assert len(_emails(var / "mail")) == 1 and len(_texts(var / "sms")) == 1

        page = login(desk_user.username, PASSWORD)
        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto(f"{live_server.url}/desk/?date={DAY}")
        _move_with_the_keyboard(page, by_email, "1415", "Tuesday 11 May, 14:15")
        _move_with_the_keyboard(page, by_text, "1500", "Tuesday 11 May, 15:00")

        messages_sweep(now=timezone.now())

        notice = next(m for m in _emails(var / "mail") if m["Subject"].startswith("New time"))
        assert notice["To"] == maria.email
        assert notice["Subject"] == "New time for your session: Tuesday 11 May at 14:15"
        body = notice.get_body(("plain",)).get_content()
        assert "on Tuesday 11 May at 09:00 has moved. The new time is Tuesday 11 May at 14:15" in body
        assert "Prolo Clinic · +1 312 555 0100" in body  # the file holds the words as typed
        text = next(t for t in _texts(var / "sms") if "moved" in t)
        assert "your session has moved to Tuesday 11 May at 15:00." in text
        assert sms_segments(text).segments <= 2

        params = {"MessageSid": "SM1", "AccountSid": "AC1", "From": zoe.phone, "To": "+13125550000", "Body": "C"}
        signature = twilio_signature(url=f"{django_settings.SITE_URL}/sms/inbound/", params=params, auth_token=TOKEN)
        reply = page.request.post(
            f"{live_server.url}/sms/inbound/",
            data=urllib.parse.urlencode(params),
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
        )
        assert reply.status == 200

        page.reload()
        expect(page.locator(f"#appt-{by_text.pk}")).to_contain_text("Confirmed")
        expect(page.locator(f"#appt-{by_email.pk}")).not_to_contain_text("Confirmed")
