"""A new patient books a consultation online at 390 px: picks a free time, gives their details and
a screening "yes", reads the code from the e-mail file under var/, and is booked; the link in the
confirmation e-mail (also a file under var/) opens their portal, where they fill in the intake form
and sign the consent. The desk then sees the consultation on the day calendar with the screening
flag and "Intake done". Every page passes axe and fits 390 px."""

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import AppointmentType
from notifications.delivery import messages_sweep
from patients.models import ConsentSignature, Intake
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


def _portal_link_from(folder: Path, live_server) -> str:
    """The link in the confirmation e-mail the sweep wrote under var/, on the test server."""
    messages_sweep(now=timezone.now())
    texts = [m.read_text() for m in sorted(folder.glob("*.log"))]
    link = next(re.search(r"https?://\S+/portal/[\w-]+/", t) for t in texts if "/portal/" in t).group(0)
    return link.replace(django_settings.SITE_URL, live_server.url)


def _fits(page) -> None:
    assert_accessible(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


def _fill_intake_and_sign(page) -> None:
    expect(page.get_by_role("heading", name="Before your first visit")).to_be_visible()
    page.get_by_role("link", name="Fill in the form").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Before your first visit")
    _fits(page)
    page.get_by_label("What brings you to us?").fill("Knee pain for a year, worse on stairs.")
    page.get_by_label("Which medicines do you take").fill("Paracetamol")
    # Blood thinners: yes; allergies: no (the second yes/no question).
    page.get_by_role("radio", name="Yes", exact=True).first.check()
    page.get_by_role("radio", name="No", exact=True).nth(1).check()
    page.get_by_role("radio", name="I would rather talk about it with the clinician").check()
    page.get_by_label("Activity 1", exact=True).fill("Climbing stairs")
    page.get_by_label("How well can you do it today? (activity 1)").select_option("3")
    page.get_by_role("button", name="Send my form").click()
    # Blood thinners "yes" without saying which: a sentence, and nothing saved.
    expect(page.get_by_text("please write which one").first).to_be_visible()
    _fits(page)
    assert not Intake.objects.exists()
    page.get_by_label("If yes: which one?").fill("Apixaban")
    page.get_by_role("button", name="Send my form").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your consent to treatment")
    expect(page.get_by_text("Consent text (version 1)")).to_be_visible()
    _fits(page)
    page.get_by_label("I have read this text and I agree to be treated.").check()
    page.get_by_label("Type your full name to sign").fill("Nina Bergman")
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_text("does not match the name we have for you").first).to_be_visible()
    page.get_by_label("I have read this text and I agree to be treated.").check()
    page.get_by_label("Type your full name to sign").fill("  nina berg ")
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_text("You have signed the consent")).to_be_visible()
    expect(page.get_by_role("heading", name="Before your first visit")).to_have_count(0)
    _fits(page)


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
    page.get_by_label("Do you take blood thinners (anticoagulants)?").check()
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
    expect(page.get_by_text("fill in a short form about your problem")).to_be_visible()
    expect(page.get_by_text("Consultation · Tuesday 11 May, 10:00 · Main Street")).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    appointment = Appointment.objects.get()
    assert appointment.start == at(dt.date(2027, 5, 11), 10, 0)

    page.goto(_portal_link_from(mail_dir, live_server))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello Nina")
    _fill_intake_and_sign(page)
    _no_other_host(page, live_server)
    signature = ConsentSignature.objects.get(patient=appointment.patient)
    assert (signature.consent_text.version, signature.ip) == (1, "127.0.0.1")

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
    expect(card).to_contain_text("Pregnant or may be pregnant")  # "rather talk about it" is asked in the room
    expect(card.locator(".cal-intake")).to_have_text("Intake done")
