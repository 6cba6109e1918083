"""The body chart in Chromium: a click on the map becomes a site row, Enter on a region does the
same from the keyboard, a saved and signed record's sites show on the series chart by session."""

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from tests.factories import PASSWORD, PatientFactory, PractitionerFactory
from tests.seeds import reseed
from tests.treatments.factories_practice import NOW, series_appointment, series_with_sessions
from treatments.models import Appointment, InjectionSite, SessionRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def clock():
    reseed()
    with time_machine.travel(NOW, tick=True):
        yield


def test_a_click_on_the_body_chart_adds_a_site_and_the_series_chart_shows_it(
    login, page, live_server, practitioner_user
):
    me = PractitionerFactory(user=practitioner_user, display_name="Dr Me")
    series = series_with_sessions(practitioner=me, pains=[8, 7], planned=3, patient=PatientFactory(first_name="Ada"))
    today = series_appointment(series, 3, NOW - dt.timedelta(minutes=5), status=Appointment.Status.CHECKED_IN)
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    login(practitioner_user.username, PASSWORD)
    page.goto(f"{live_server.url}/practice/appointments/{today.pk}/record/")

    # A click on the right knee (front view) fills the first empty row.
    page.locator('.bc-region[aria-label="Knee, right (Front)"]').click()
    expect(page.locator('input[name="sites-0-region"]')).to_have_value("Knee")
    expect(page.locator('select[name="sites-0-side"]')).to_have_value("right")
    expect(page.locator('input[name="sites-0-chart_view"]')).to_have_value("front")
    expect(page.locator("#body-chart-status")).to_contain_text("Site 1: Knee, right (Front)")
    expect(page.locator(".js-chart-marks .bc-mark")).to_have_count(1)

    # From the keyboard: Tab onto a region and press Enter.
    page.locator('.bc-region[aria-label="Knee, left (Back)"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator('input[name="sites-1-region"]')).to_have_value("Knee")
    expect(page.locator('select[name="sites-1-side"]')).to_have_value("left")
    expect(page.locator(".js-chart-marks .bc-mark")).to_have_count(2)

    for i, (dextrose, volume) in enumerate([("25", "6"), ("15", "0.5")]):
        page.locator(f'input[name="sites-{i}-dextrose_percent"]').fill(dextrose)
        page.locator(f'input[name="sites-{i}-volume_ml"]').fill(volume)
    page.get_by_label("Pain before (0-10)").fill("5")
    page.get_by_label("Consent for this series confirmed").check()
    page.get_by_label("I re-checked today's screening").check()
    page.get_by_role("button", name="Sign the record").click()
    expect(page.get_by_text("The record is signed and the appointment completed.")).to_be_visible()

    record = SessionRecord.objects.get(appointment=today)
    placed = list(InjectionSite.objects.filter(record=record).values_list("chart_view", "side"))
    assert placed == [("front", "right"), ("back", "left")]

    page.goto(f"{live_server.url}/practice/series/{series.pk}/")
    chart = page.locator("svg.series-body-chart")
    # Session 3's two sites where they were clicked; the earlier signed sessions' sites, typed
    # without a point, placed by their region and side (issue 19, item 2): every signed site shows.
    expect(chart.locator(".bc-mark").filter(has=page.locator("text", has_text="3"))).to_have_count(2)
    expect(chart.locator(".bc-mark")).to_have_count(6)
    expect(page.locator(".bc-legend")).to_contain_text("Session 3")
    expect(page.locator(".series-site-list")).to_contain_text("Session 3: Knee")
    assert console_errors == []
