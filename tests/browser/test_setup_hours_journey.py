"""Hours and time off at the desk (issue 19, items 5 and 11), in Chromium at 1366x768 and 390x844
with axe on every page: the clinic admin (signed in with a code) changes a practitioner's week and
sees the booking it leaves outside the hours before saving (after allowing practitioners their own
time off on the same page); adds a conference over a booked
consultation, sees it listed with its nearest allowed time before saving, saves, finds the card
marked on the calendar, moves the booking from the closure's page, and is refused the same
conference twice. Removing extra hours on a date over a booking lists it first, then leaves it
listed outside the hours and marked on the week of every practitioner."""

import datetime as dt
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from clinic.models import ClinicSettings, Closure, DatedHours, WorkingHours
from tests.browser.axe_portal import assert_accessible
from tests.browser.calendar_grid import DAY, clock, seeded  # noqa: F401 (fixtures used by name)
from tests.factories import PASSWORD, PatientFactory
from tests.treatments.factories_calendar import at, booking, practitioner_with_hours

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded", "clock")]

SIZES = {"desk": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def _visit_check(page) -> None:
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{page.url} is {wide}px wider than the screen"
    assert_accessible(page)


def _sign_in_with_a_code(page, live_server, user) -> None:
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/desk/")


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_clinic_admin_sets_hours_and_a_closure_and_handles_the_booking_it_covers(
    browser, live_server, admin_user, size
):
    patel, main = practitioner_with_hours("Dr Patel")
    amelia = booking(patel, main, at(DAY, 10), patient=PatientFactory(first_name="Amelia", last_name="Hart"))
    late = booking(
        patel, main, at(DAY + dt.timedelta(days=1), 16), patient=PatientFactory(first_name="Leo", last_name="Late")
    )
    context = browser.new_context(bypass_csp=True, viewport=SIZES[size])
    page = context.new_page()
    _sign_in_with_a_code(page, live_server, admin_user)

    if size == "desk":
        page.get_by_role("link", name="Hours").click()
    else:
        # The menu opens only once Bootstrap's script has run (it loads at the end of the page), and
        # its link is clickable once the opening animation ends: wait for both, not for time.
        page.wait_for_load_state("load")
        page.get_by_role("button", name="Menu").click()
        expect(page.locator("#nav")).to_have_class(re.compile(r"\bshow\b"))
        page.get_by_role("link", name="Hours", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hours and time off")
    _visit_check(page)
    # Practitioners' own time off is the clinic admin's to allow, here rather than in the Django admin.
    own = page.get_by_role("form", name="Practitioners' own time off")
    expect(own.get_by_label("No, only the clinic admin")).to_be_checked()
    own.get_by_label("Yes, each their own (under “My time off”)").check()
    own.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Practitioners now add and remove their own time off")).to_be_visible()
    _visit_check(page)
    assert ClinicSettings.load().practitioners_own_time_off
    page.get_by_role("link", name="Dr Patel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dr Patel")
    _visit_check(page)

    # A shorter Wednesday: Leo's 16:00 falls outside it, and the page says so before saving.
    week = page.get_by_role("form", name="Week at Main Street")
    expect(week.get_by_label("Wednesday")).to_have_value("08:00-12:00, 13:00-17:00")
    week.get_by_label("Wednesday").fill("08:00-12:00, 13:00-15:00")
    week.get_by_role("button", name="Check and save the week").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Nothing is saved yet: this week leaves 1 booking outside the hours."
    )
    expect(page.get_by_role("alert")).to_contain_text("Leo Late")
    _visit_check(page)
    assert WorkingHours.objects.filter(practitioner=patel, weekday=2, end=dt.time(15)).count() == 0
    page.get_by_role("form", name="Week at Main Street").get_by_role("button", name="Save anyway").click()
    expect(page.get_by_text("1 booking now falls outside the hours")).to_be_visible()
    expect(page.locator("#outside")).to_contain_text("Leo Late")
    assert WorkingHours.objects.filter(practitioner=patel, weekday=2, end=dt.time(15)).count() == 1

    # A conference over Amelia's 10:00: listed with where she could go, before anything is saved.
    form = page.locator("form.setup-form")
    form.get_by_label("Who").select_option(label="Dr Patel")
    form.locator("#id_first_day").fill(DAY.isoformat())
    form.get_by_label("From time").fill("09:00")
    form.get_by_label("To time").fill("13:00")
    form.get_by_label("Reason").fill("Conference")
    form.get_by_role("button", name="Check and save").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing is saved yet: this time covers 1 booking.")
    covered = page.locator(f"#covered-{amelia.pk}")
    expect(covered).to_contain_text("Amelia Hart")
    expect(covered).to_contain_text("Tue 11 May 08:30")
    _visit_check(page)
    assert not Closure.objects.exists()
    page.get_by_role("button", name="Save it; I will handle these bookings").click()
    expect(page.get_by_text("Saved. It covers 1 booking: move or cancel it below.")).to_be_visible()
    _visit_check(page)

    # Until it is handled, the calendar marks the card.
    closure_page = page.url
    page.goto(f"{live_server.url}/desk/?date={DAY}")
    expect(page.locator(f"#appt-{amelia.pk}")).to_contain_text("Inside a closure — move or cancel: Conference")
    _visit_check(page)

    page.goto(closure_page)
    page.locator(f"#covered-{amelia.pk}").get_by_role("button", name="Move").click()
    expect(page.get_by_text("1 booking moved; the patient is told.")).to_be_visible()
    expect(page.get_by_text("No booking is inside this time.")).to_be_visible()
    amelia.refresh_from_db()
    assert amelia.start == at(DAY, 8, 30)
    page.goto(f"{live_server.url}/desk/?date={DAY}")
    expect(page.locator(f"#appt-{amelia.pk}")).to_contain_text("08:30–09:00")
    expect(page.locator(f"#appt-{amelia.pk}")).not_to_contain_text("Inside a closure")

    # The same conference again is refused in the page, and stored once.
    page.goto(f"{live_server.url}/desk/setup/practitioners/{patel.pk}/")
    # The list of time off ahead shows each closure's actions whole, on a phone too (each a block).
    remove = page.get_by_role("button", name="Remove — Conference").bounding_box()
    assert remove["x"] >= 0 and remove["x"] + remove["width"] <= SIZES[size]["width"], remove
    form = page.locator("form.setup-form")
    form.locator("#id_first_day").fill(DAY.isoformat())
    form.get_by_label("From time").fill("09:00")
    form.get_by_label("To time").fill("13:00")
    form.get_by_label("Reason").fill("Conference")
    form.get_by_role("button", name="Check and save").click()
    expect(page.get_by_text("This is already recorded: “Conference”")).to_be_visible()
    _visit_check(page)
    assert Closure.objects.count() == 1

    if size == "desk":
        # Time off by sweeping down Dr Patel's column on the calendar: the form opens filled in.
        page.goto(f"{live_server.url}/desk/?date={DAY}")
        grid = page.locator(f'.cal-col[data-practitioner="{patel.pk}"] .cal-grid')
        cal = page.locator(".cal")
        first, rows = int(cal.get_attribute("data-first-minute")), int(cal.get_attribute("data-rows"))
        box = grid.bounding_box()

        def y(hh):
            return box["y"] + (hh * 60 - first) / 5 * box["height"] / rows

        page.mouse.move(box["x"] + box["width"] / 2, y(15) + 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2, y(16) + 2, steps=5)
        page.mouse.up()
        expect(page.get_by_role("heading", level=1)).to_have_text("Add a closure or time off")
        expect(page.get_by_label("Who")).to_have_value(str(patel.pk))
        expect(page.locator("#id_first_day")).to_have_value(DAY.isoformat())
        expect(page.get_by_label("From time")).to_have_value("15:00")
        expect(page.get_by_label("To time")).to_have_value("16:00")
        page.get_by_label("Reason").fill("Dentist")
        page.get_by_role("button", name="Check and save").click()
        expect(page.get_by_text("Saved. It covers no booking.")).to_be_visible()
        assert Closure.objects.get(reason="Dentist").starts_at == at(DAY, 15)
    assert late.pk
    context.close()


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_clinic_admin_removes_extra_hours_over_a_booking_after_seeing_it(browser, live_server, admin_user, size):
    patel, main = practitioner_with_hours("Dr Patel")
    saturday = DAY + dt.timedelta(days=4)
    DatedHours.objects.create(practitioner=patel, location=main, date=saturday, start=dt.time(9), end=dt.time(13))
    sam = booking(patel, main, at(saturday, 10), patient=PatientFactory(first_name="Sam", last_name="Sato"))
    context = browser.new_context(bypass_csp=True, viewport=SIZES[size])
    page = context.new_page()
    _sign_in_with_a_code(page, live_server, admin_user)
    page.goto(f"{live_server.url}/desk/setup/practitioners/{patel.pk}/")

    page.get_by_role("button", name="Remove Sat 15 May 09:00–13:00").click()
    expect(page.locator("#removing")).to_contain_text(
        "Nothing is removed yet: without the extra hours of Sat 15 May 09:00–13:00, 1 booking falls outside the hours."
    )
    expect(page.locator(f"#covered-{sam.pk}")).to_contain_text("Sam Sato")
    expect(page.locator(f"#covered-{sam.pk}")).to_contain_text("Fri 14 May 10:00")  # the nearest weekday time
    _visit_check(page)
    assert DatedHours.objects.count() == 1

    page.get_by_role("button", name="Remove anyway").click()
    expect(page.get_by_text("1 booking now falls outside the hours")).to_be_visible()
    expect(page.locator("#outside")).to_contain_text("Sam Sato")
    _visit_check(page)
    assert not DatedHours.objects.exists()

    # The week of every practitioner marks the card, as the day does.
    page.goto(f"{live_server.url}/desk/week/?date={saturday}")
    expect(page.locator(f"#appt-{sam.pk}")).to_contain_text("Outside the hours — move or cancel")
    _visit_check(page)
    context.close()
