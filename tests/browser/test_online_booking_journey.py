"""A new patient books a consultation online at 390 px: picks a free time, gives their details and
a screening "yes", reads the code from the e-mail file under var/, and is booked; the desk then sees
the consultation on the day calendar with the screening flag. Every /book/ page passes axe."""

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from playwright.sync_api import expect

from clinic.models import AppointmentType
from tests.browser.axe_portal import assert_accessible
from tests.factories import PASSWORD
from tests.seeds import reseed
from tests.treatments.factories_calendar import at, practitioner_with_hours
from treatments.models import Appointment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A Monday later than the real clock, so the browser keeps the session cookie.
MONDAY = dt.date(2027, 5, 10)
NOW = at(MONDAY, 10, 0)


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    reseed()
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe is injected as a script; the Content-Security-Policy would block it.
    return {**browser_context_args, "bypass_csp": True, "viewport": {"width": 390, "height": 844}}


@pytest.fixture
def mail_dir(settings):
    """E-mail as `make run` sends it: files under var/."""
    folder = Path(django_settings.BASE_DIR) / "var" / "test-mail-online-booking"
    shutil.rmtree(folder, ignore_errors=True)
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(folder)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


def _code_from(folder: Path) -> str:
    mails = sorted(folder.glob("*.log"))
    assert mails, "no e-mail file was written"
    return re.search(r"booking code is (\d{6})", mails[-1].read_text()).group(1)


def _no_other_host(page, live_server) -> None:
    hosts = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    assert all(h.startswith(live_server.url) for h in hosts), hosts


def test_a_new_patient_books_a_consultation_online_and_the_desk_sees_it(
    clock, page, live_server, login, desk_user, mail_dir
):
    practitioner_with_hours("Dr Ada Stone")
    AppointmentType.objects.filter(slug="consultation").update(bookable_online=True)

    page.goto(f"{live_server.url}/book/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book an appointment")
    expect(page.get_by_role("heading", level=2)).to_have_text("Free times on Tuesday 11 May")
    assert_accessible(page)
    _no_other_host(page, live_server)
    page.get_by_role("link", name="10:00 with Dr Ada Stone").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    expect(page.get_by_text("Consultation · Tuesday 11 May, 10:00 · Main Street")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Berg")
    page.get_by_label("Date of birth").fill("1980-03-04")
    page.get_by_label("Mobile phone").fill("(312) 555-0188")
    page.get_by_role("textbox", name="E-mail").fill("nina@example.com")
    page.get_by_role("radio", name="E-mail").check()
    page.get_by_label("Send me reminders and messages by e-mail").check()
    page.get_by_label("Takes blood thinners (anticoagulants)").check()
    page.get_by_role("button", name="Hold this time and send my code").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    expect(page.get_by_text("We sent a 6-digit code to the e-mail address you gave.")).to_be_visible()
    assert_accessible(page)
    assert Appointment.objects.count() == 0
    page.get_by_label("The 6-digit code").fill("000000" if _code_from(mail_dir) != "000000" else "111111")
    page.get_by_role("button", name="Confirm my booking").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("The 6-digit code").fill(_code_from(mail_dir))
    page.get_by_role("button", name="Confirm my booking").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    expect(page.get_by_text("Consultation · Tuesday 11 May, 10:00 · Main Street")).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    appointment = Appointment.objects.get()
    assert appointment.start == at(dt.date(2027, 5, 11), 10, 0)

    page.context.clear_cookies()
    login(desk_user.username, PASSWORD)
    page.goto(f"{live_server.url}/desk/")
    page.get_by_role("link", name="Next day").click()
    expect(page.locator("#cal-date")).to_have_text("Tuesday 11 May 2027")
    card = page.locator(f"#appt-{appointment.pk}")
    expect(card).to_contain_text("10:00–10:45")
    expect(card).to_contain_text("Nina Berg")
    expect(card).to_contain_text("Consultation")
    expect(card).to_contain_text("Screening flags: Takes blood thinners")
