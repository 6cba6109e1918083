"""The desk's week view, "find the next free slot", and the waitlist in Chromium: a patient waits
to bring session 2 of their series forward; a cancellation inside its window offers them the slot."""

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.seeds import reseed
from tests.treatments.factories_calendar import at, booking, practitioner_with_hours, series_booking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = dt.date(2027, 5, 11)  # a Tuesday later than the real clock (the browser keeps its cookie)
NOW = at(DAY, 8, 0)
WEEK = dt.timedelta(days=7)


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    reseed()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


def test_desk_uses_the_week_next_free_slot_and_waitlist(clock, login, desk_user, live_server):
    ada, main = practitioner_with_hours("Dr Ada Stone")
    _series, sessions = series_booking(ada, main, [at(DAY, 9), at(DAY + 4 * WEEK, 9), at(DAY + 8 * WEEK, 9)])
    patient = sessions[0].patient
    booking(ada, main, at(DAY, 8))  # 08:00-08:30 (+10 buffer) is taken
    page = login(desk_user.username, PASSWORD)

    page.locator("section[data-column]").first.get_by_role("link", name="Week").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Week of Dr Ada Stone")
    expect(page.locator("section.cal-col")).to_have_count(7)
    expect(page.locator(f"#appt-{sessions[0].pk}")).to_contain_text("session 1 of 3")
    page.screenshot(path="var/calendar-week.png", full_page=True)

    page.get_by_role("link", name="Calendar", exact=True).click()
    page.get_by_role("link", name="Find the next free slot").click()
    page.get_by_label("Practitioner").select_option(label="Dr Ada Stone")
    page.get_by_label("Appointment type").select_option(label="Injection session")
    page.get_by_role("button", name="Find the next free slot").click()
    # 08:00 and 09:00 are booked; 08:40 + 30 minutes + the 10-minute buffer would run into 09:00.
    expect(page.locator(".list-group-item").first).to_contain_text("Tuesday 11 May 2027, 09:40")

    page.goto(f"{live_server.url}/desk/patients/")
    page.get_by_label("Find a patient").fill(patient.last_name)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("row", name=patient.last_name).get_by_role("link", name="Add to waitlist").click()
    page.get_by_label("Practitioner").select_option(label="Dr Ada Stone")
    page.get_by_label("Appointment type").select_option(label="Injection session")
    page.get_by_label("Booked appointment to bring forward").select_option(index=2)  # session 2, 8 June
    page.get_by_label("Note for the desk").fill("Can come any morning")
    page.get_by_role("button", name="Add to the waitlist").click()
    expect(page.get_by_text(f"{patient.full_name} is on the waitlist.")).to_be_visible()

    # Someone cancels on Friday 4 June: inside the 1-15 June window that session 2 may move to
    # (28 days after session 1, and session 3 on 6 July still in its own window).
    freed = booking(ada, main, at(DAY + 3 * WEEK + dt.timedelta(days=3), 10), status="cancelled", cancelled_at=NOW)
    page.goto(f"{live_server.url}/desk/?date={(DAY + 3 * WEEK + dt.timedelta(days=3)).isoformat()}")
    page.locator(f"#appt-{freed.pk}").hover()
    page.locator(f"#appt-{freed.pk}").get_by_role("link", name="Waitlist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who could take this slot")
    row = page.get_by_role("row", name=patient.full_name)
    expect(row).to_contain_text("Can come any morning")
    expect(row).to_contain_text("1 Jun – 15 Jun")
    row.get_by_role("button", name="Offered: remove from waitlist").click()
    expect(page.get_by_text(f"{patient.full_name} is off the waitlist.")).to_be_visible()
    expect(page.get_by_text("Nobody on the waitlist fits this slot.")).to_be_visible()
