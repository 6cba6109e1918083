"""The desk's day in Chromium: register a patient (and be warned about registering them twice),
find them by search, see their appointment on the day calendar, step to the next day and back,
and check them in."""

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from patients.models import Patient
from tests.factories import PASSWORD
from tests.seeds import reseed
from tests.treatments.factories_calendar import at, booking, practitioner_with_hours

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A Tuesday later than the real clock, so the browser keeps the session cookie.
DAY = dt.date(2027, 5, 11)
NOW = at(DAY, 10, 0)


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    reseed()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


def _register_jane(page, live_server):
    page.goto(f"{live_server.url}/desk/patients/")
    page.get_by_role("link", name="Register a patient").click()
    page.get_by_label("First name").fill("Jane")
    page.get_by_label("Last name").fill("Doe")
    page.get_by_label("Date of birth").fill("1970-05-04")
    page.get_by_label("Mobile phone").fill("(312) 555-0123")
    page.get_by_label("E-mail", exact=True).fill("jane.doe@example.com")
    page.get_by_label("Preferred channel").select_option(label="Text message (SMS)")
    page.get_by_label("Agrees to text messages (SMS)").check()
    page.get_by_label("Takes blood thinners (anticoagulants)").check()
    page.get_by_role("button", name="Save patient").click()


def test_desk_registers_finds_and_checks_in_a_patient_on_the_day_calendar(clock, login, desk_user, live_server):
    practitioner, location = practitioner_with_hours("Dr Ada Stone")
    page = login(desk_user.username, PASSWORD)

    _register_jane(page, live_server)
    expect(page.get_by_text("Jane Doe is registered.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jane Doe")
    jane = Patient.objects.get()
    assert jane.phone == "+13125550123"

    # The same person again: a warning, and nothing saved until the desk confirms.
    _register_jane(page, live_server)
    expect(page.get_by_role("alert").filter(has_text="Possible duplicate")).to_be_visible()
    expect(page.get_by_role("link", name="Jane Doe")).to_have_attribute("href", f"/desk/patients/{jane.pk}/")
    assert Patient.objects.count() == 1

    page.goto(f"{live_server.url}/desk/patients/")
    page.get_by_label("Find a patient").fill("doe")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Doe, Jane").click()
    expect(page).to_have_url(f"{live_server.url}/desk/patients/{jane.pk}/")

    appointment = booking(practitioner, location, at(DAY, 10, 30), patient=jane)
    page.get_by_role("link", name="Calendar").click()
    expect(page).to_have_url(f"{live_server.url}/desk/")
    expect(page.locator("#cal-date")).to_have_text("Tuesday 11 May 2027")
    card = page.locator(f"#appt-{appointment.pk}")
    expect(card).to_contain_text("10:30–11:00")
    expect(card).to_contain_text("Jane Doe")
    expect(card).to_contain_text("Injection session")
    expect(card).to_contain_text("Screening flags: Takes blood thinners")

    page.get_by_role("link", name="Next day").click()
    expect(page.locator("#cal-date")).to_have_text("Wednesday 12 May 2027")
    expect(page.locator(f"#appt-{appointment.pk}")).to_have_count(0)
    page.get_by_role("link", name="Previous day").click()
    expect(page.locator("#cal-date")).to_have_text("Tuesday 11 May 2027")

    # A compact card opens its actions when pointed at (or focused).
    page.locator(f"#appt-{appointment.pk}").hover()
    page.locator(f"#appt-{appointment.pk}").get_by_role("button", name="Check in").click()
    expect(page.get_by_text("Jane Doe is checked in.")).to_be_visible()
    expect(page.locator(f"#appt-{appointment.pk}")).to_contain_text("Checked in")
    expect(page.locator(f"#appt-{appointment.pk}").get_by_role("button", name="Check in")).to_have_count(0)

    page.screenshot(path="var/calendar-day.png", full_page=True)
    page.get_by_label("Go to date").fill("2027-05-13")
    page.get_by_role("button", name="Go", exact=True).click()
    expect(page.locator("#cal-date")).to_have_text("Thursday 13 May 2027")


def test_no_show_asks_first_and_a_dismissed_question_changes_nothing(clock, login, desk_user, live_server):
    practitioner, location = practitioner_with_hours("Dr Ada Stone")
    jane = Patient.objects.create(first_name="Jane", last_name="Doe", date_of_birth=dt.date(1970, 5, 4))
    appointment = booking(practitioner, location, at(DAY, 9, 0), patient=jane)  # started an hour ago
    page = login(desk_user.username, PASSWORD)
    page.goto(f"{live_server.url}/desk/")
    card = page.locator(f"#appt-{appointment.pk}")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    card.hover()
    card.get_by_role("button", name="No-show").click()
    expect(card).to_contain_text("Booked")
    appointment.refresh_from_db()
    assert appointment.status == "booked"

    page.once("dialog", lambda dialog: answer(dialog, True))
    card.hover()
    card.get_by_role("button", name="No-show").click()
    expect(page.get_by_text("Jane Doe is marked as a no-show.")).to_be_visible()
    expect(page.locator(f"#appt-{appointment.pk}")).to_contain_text("No-show")
    assert questions == ["Mark this appointment as a no-show?"] * 2
