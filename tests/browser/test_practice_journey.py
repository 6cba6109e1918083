"""A practitioner's session, end to end in Chromium: open today's first patient, copy the last
session's sites, sign, and see the series chart change; the front desk cannot open the record."""

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from tests.factories import PASSWORD, AppointmentFactory, PatientFactory, PractitionerFactory
from tests.seeds import reseed
from tests.treatments.factories_practice import NOW, series_appointment, series_with_sessions
from treatments.models import Appointment, SessionRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def clock():
    # An earlier transactional test may have flushed the migration-seeded protocols.
    reseed()
    # Ticking from a fixed morning, so "today" is always the same clinic day.
    with time_machine.travel(NOW, tick=True):
        yield


def test_practitioner_records_and_signs_a_session_and_sees_the_chart_change(
    login, page, live_server, practitioner_user, desk_user
):
    me = PractitionerFactory(user=practitioner_user, display_name="Dr Me")
    series = series_with_sessions(practitioner=me, pains=[8, 7], planned=3, patient=PatientFactory(first_name="Ada"))
    today = series_appointment(series, 3, NOW - dt.timedelta(minutes=15), status=Appointment.Status.CHECKED_IN)
    AppointmentFactory(practitioner=me, start=NOW + dt.timedelta(hours=4), patient=PatientFactory(first_name="Zed"))

    console_errors = []

    def on_console(message):
        if message.type == "error":
            console_errors.append(message.text)

    page.on("console", on_console)
    login(practitioner_user.username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Today's patients")

    # Before: two sessions charted, and the "review before the 3rd" flag.
    page.goto(f"{live_server.url}/practice/series/{series.pk}/")
    expect(page.locator("svg.pain-chart .chart-session")).to_have_count(2)
    expect(page.get_by_text("No better after 2 sessions — review before the 3rd")).to_be_visible()

    page.goto(f"{live_server.url}/practice/")
    page.get_by_role("link", name=today.patient.full_name).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(today.patient.full_name)
    expect(page.get_by_text("Knee osteoarthritis, right — session 3 of 3")).to_be_visible()

    page.get_by_label("Pain before (0-10)").fill("4")
    page.get_by_role("button", name="Copy from the last session").click()
    expect(page.get_by_text("2 sites copied from the last session.")).to_be_visible()
    expect(page.locator('input[name="sites-1-structure"]')).to_have_value("MCL insertion")
    expect(page.locator("#total-volume")).to_have_text("6.5")
    expect(page.get_by_label("Pain before (0-10)")).to_have_value("4")

    # The total follows what is typed, before anything is saved.
    page.locator('input[name="sites-0-volume_ml"]').fill("5")
    expect(page.locator("#total-volume")).to_have_text("5.5")

    page.get_by_label("Consent for this series confirmed").check()
    page.get_by_label("I re-checked today's screening").check()
    page.get_by_label("Pain after (0-10)").fill("2")
    page.get_by_role("button", name="Sign the record").click()
    expect(page.get_by_text("The record is signed and the appointment completed.")).to_be_visible()
    expect(page.get_by_text("The record is locked.")).to_be_visible()

    record = SessionRecord.objects.get(appointment=today)
    assert record.status == "signed" and record.sites.count() == 2

    # After: three sessions charted, the table lists the new score, and the flag is "Improved".
    page.get_by_role("link", name="Series progress").click()
    expect(page.locator("svg.pain-chart .chart-session")).to_have_count(3)
    expect(page.locator("table.pain-table tbody tr").last).to_contain_text("Session S3")
    expect(page.locator("table.pain-table tbody tr").last).to_contain_text("4")
    expect(page.get_by_text("Improved", exact=True)).to_be_visible()
    expect(page.get_by_text("No better after 2 sessions")).to_have_count(0)
    assert console_errors == []  # no Content-Security-Policy violation, no script error

    # The front desk cannot open the record.
    page.get_by_role("button", name="Log out").click()
    login(desk_user.username, PASSWORD)
    response = page.goto(f"{live_server.url}/practice/appointments/{today.pk}/record/")
    assert response.status in (403, 404)
    expect(page.get_by_text("MCL insertion")).to_have_count(0)
