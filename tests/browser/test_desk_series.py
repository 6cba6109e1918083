"""The desk's journey in Chromium (issue 3's "done when"): register a patient, book a 3-session
knee OA series from their page, move session 2 and shift the rest, cancel session 3, and see it
all on the series page, the patient page and the day calendar."""

from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.treatments.factories_desk import clinic_setup, ensure_seed, local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# A fixed clock for the server, later than the real one so the browser keeps the session cookie.
NOW = local(2027, 4, 29, 12)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


def serious_a11y_problems(page) -> list[str]:
    """axe-core, evaluated through the DevTools protocol (the page's CSP stays in force)."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate("async () => (await axe.run()).violations.map(v => [v.id, v.impact])")
    return [rule for rule, impact in result if impact in ("serious", "critical")]


def test_desk_books_moves_and_cancels_a_knee_series(clock, login, desk_user, live_server):
    ensure_seed()
    clinic_setup()
    page = login(desk_user.username, PASSWORD)

    page.goto(f"{live_server.url}/desk/patients/")
    page.get_by_role("link", name="Register a patient").click()
    page.get_by_label("First name").fill("Jane")
    page.get_by_label("Last name").fill("Doe")
    page.get_by_label("Date of birth").fill("1958-03-14")
    page.get_by_label("Mobile phone").fill("(312) 555-0188")
    page.get_by_label("E-mail", exact=True).fill("jane.doe@example.com")
    page.get_by_role("button", name="Save patient").click()
    expect(page.get_by_text("Jane Doe is registered.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jane Doe")

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
    assert serious_a11y_problems(page) == []
    page.get_by_role("button", name="Book all 3 sessions").click()

    expect(page.get_by_text("Booked all 3 sessions.")).to_be_visible()
    expect(page.locator("#series-sessions tbody tr")).to_have_count(3)
    assert serious_a11y_problems(page) == []

    page.get_by_role("link", name="Move session 2").click()
    # The window its neighbours allow, and the wider one when the later sessions shift too (not
    # chosen for the desk: the box starts unticked).
    expect(page.get_by_label("Also move the later sessions to keep the spacing")).not_to_be_checked()
    expect(page.locator("[data-window='keep']")).to_contain_text("Tue 25 May – Tue 8 Jun")
    expect(page.locator("[data-window='shift']")).to_be_hidden()
    page.get_by_label("Also move the later sessions to keep the spacing").check()
    expect(page.locator("[data-window='shift']")).to_contain_text("Tue 25 May – Tue 15 Jun")
    expect(page.locator("[data-window='keep']")).to_be_hidden()
    page.get_by_label("Date").fill("2027-06-03")
    page.get_by_label("Time").fill("10:00")
    page.get_by_label("Why").fill("Patient away that week")
    page.get_by_role("button", name="Move", exact=True).click()
    # The later session's new date is shown before anything moves.
    expect(page.locator("#move-plan")).to_contain_text("→ Thu 1 Jul 2027, 10:00")
    page.get_by_role("button", name="Move these sessions").click()

    expect(page.get_by_text("Moved 2 appointments.")).to_be_visible()
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

    page.get_by_role("link", name="Jane Doe").click()
    expect(page.locator(".series-card")).to_contain_text("0 of 3 sessions done")
    expect(page.locator(".series-card")).to_contain_text("next: session 1 of 3")
    expect(page.locator("#upcoming tbody tr")).to_have_count(2)
    expect(page.locator("#past")).to_contain_text("Holiday abroad")
    assert serious_a11y_problems(page) == []

    # The day calendar: session 2 on its new day and time, session 3 shown as cancelled.
    page.get_by_role("link", name="Thu 3 Jun 2027, 10:00").click()
    expect(page.locator("#cal-date")).to_have_text("Thursday 3 June 2027")
    card = page.locator(".cal-appt").filter(has_text="Jane Doe")
    expect(card).to_contain_text("10:00")
    expect(card).to_contain_text("session 2 of 3")
    page.get_by_label("Go to date").fill("2027-07-01")
    page.get_by_role("button", name="Go", exact=True).click()
    expect(page.locator("#cal-date")).to_have_text("Thursday 1 July 2027")
    expect(page.locator(".cal-appt").filter(has_text="Jane Doe")).to_contain_text("Cancelled")
