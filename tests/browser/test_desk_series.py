"""The desk's series journey in Chromium: book a 3-session knee OA series from the patient's page,
move session 2 and shift the rest, cancel session 3, and see it all on the series and patient
pages."""

import pytest
import time_machine
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.treatments.factories_desk import clinic_setup, local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# A fixed clock for the server, later than the real one so the browser keeps the session cookie.
NOW = local(2027, 4, 29, 12)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


def test_desk_books_moves_and_cancels_a_knee_series(clock, login, desk_user, live_server):
    practitioner, location, patient = clinic_setup()
    page = login(desk_user.username, PASSWORD)
    page.goto(f"{live_server.url}/desk/patients/{patient.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Lopez")

    page.get_by_role("link", name="Book a series").click()
    page.get_by_label("Protocol").select_option(label="Knee OA — Rabago 2013")
    page.get_by_label("Practitioner").select_option(label="Dr Ada Stone")
    page.get_by_label("Location").select_option(label="Main Street")
    page.get_by_label("Side").select_option(label="Left")
    page.get_by_label("First session: date").fill("2027-05-04")
    page.get_by_label("First session: time").fill("09:00")
    page.get_by_role("button", name="Propose sessions").click()

    expect(page.get_by_label("Session 2 date")).to_have_value("2027-06-01")
    expect(page.get_by_label("Session 3 date")).to_have_value("2027-06-29")
    expect(page.locator(".series-proposals").get_by_text("Free")).to_have_count(3)
    page.get_by_role("button", name="Book all 3 sessions").click()

    expect(page.get_by_text("Booked all 3 sessions.")).to_be_visible()
    expect(page.locator("#series-sessions tbody tr")).to_have_count(3)

    page.get_by_role("link", name="Move session 2").click()
    # The window its neighbours allow, and the wider one when the later sessions shift too.
    expect(page.locator("[data-window='shift']")).to_contain_text("Tue 25 May – Tue 15 Jun")
    page.get_by_label("Date").fill("2027-06-03")
    page.get_by_label("Time").fill("10:00")
    page.get_by_label("Why").fill("Patient away that week")
    expect(page.get_by_label("Also move the later sessions to keep the spacing")).to_be_checked()
    page.get_by_role("button", name="Move").click()

    expect(page.get_by_text("Moved 2 appointment(s).")).to_be_visible()
    rows = page.locator("#series-sessions tbody tr")
    expect(rows.nth(1)).to_contain_text("Thu 3 Jun 2027, 10:00")
    expect(rows.nth(2)).to_contain_text("Thu 1 Jul 2027, 10:00")

    page.get_by_role("link", name="Cancel session 3").click()
    page.get_by_label("Patient cancelled").check()
    page.get_by_label("Reason").fill("Holiday abroad")
    page.get_by_role("button", name="Cancel the appointment").click()

    expect(page.get_by_text("Appointment cancelled.")).to_be_visible()
    expect(rows.nth(2)).to_contain_text("Cancelled (patient cancelled: Holiday abroad)")
    expect(page.locator("#series-history")).to_contain_text("“Patient away that week”")

    page.get_by_role("link", name="Maria Lopez").click()
    expect(page.locator(".series-card")).to_contain_text("0 of 3 sessions done")
    expect(page.locator(".series-card")).to_contain_text("next: session 1 of 3")
    expect(page.locator("#upcoming tbody tr")).to_have_count(2)
    expect(page.locator("#past")).to_contain_text("Holiday abroad")
