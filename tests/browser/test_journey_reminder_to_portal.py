"""The patient's side of a booked series, end to end: the desk books through the booking service,
the sweep mails the 24-hour reminder, and the patient follows the link in that e-mail to the
portal, sees the session, reports pain 7/10 with a warning sign and is told to call."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from notifications.delivery import messages_sweep
from tests.factories import PatientFactory, protocol
from tests.treatments.factories_calendar import at, practitioner_with_hours
from tests.treatments.factories_portal import clear_cache  # noqa: F401
from treatments.models import PainCheckIn
from treatments.scheduling.services.booking import series_book

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clear_cache")]

FIRST = at(dt.date(2027, 5, 11), 10, 0)  # a Tuesday, 10:00 in the clinic
NOW = FIRST - dt.timedelta(hours=24) + dt.timedelta(minutes=5)


def test_patient_follows_the_reminder_link_reports_pain_with_a_red_flag_and_is_told_to_call(
    page, live_server, desk_user
):
    with time_machine.travel(NOW, tick=True):
        practitioner, location = practitioner_with_hours()
        patient = PatientFactory(first_name="Maria", preferred_channel="email")
        series_book(
            patient=patient,
            protocol=protocol("Knee OA — Rabago 2013"),
            practitioner=practitioner,
            location=location,
            side="left",
            starts=[FIRST, FIRST + dt.timedelta(days=28), FIRST + dt.timedelta(days=56)],
            by=desk_user,
            now=NOW - dt.timedelta(days=7),
        )
        messages_sweep(now=NOW)
        reminder = next(m for m in mail.outbox if m.subject.startswith("Reminder:"))
        link = re.search(r"https?://\S+/portal/[\w-]+/", reminder.body).group(0)
        assert "knee" not in (reminder.subject + reminder.body).lower()

        page.goto(link.replace(settings.SITE_URL, live_server.url))
        expect(page.get_by_role("heading", level=1)).to_have_text("Hello Maria")
        expect(page.get_by_role("article").first).to_contain_text("Session 1 of 3")

        page.get_by_role("link", name="Report how you feel").click()
        page.get_by_text("7", exact=True).click()
        page.get_by_label("I have a fever above 38 °C (100.4 °F)").check()
        page.get_by_role("button", name="Send").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Please call us now")
        checkin = PainCheckIn.objects.get(patient=patient)
        assert (checkin.pain, checkin.red_flags) == (7, ["fever"])
