"""Issue 22's "done when", in Chromium: the desk books a knee series and sells its 5-session
package; session 1 is attended and checked out (1 of 5, the receipt e-mailed — a file in the mail
folder, as `var/mail/` is on `make run`); session 2 is a no-show and the desk picks "forfeit one
session"; after session 3 the practitioner stops the series, the clinic admin issues the credit
note whose arithmetic is on screen and refunds it; the day's close balances.

The server's clock is moved to each session's day (time_machine, ticking), and each person signs in
through the real form on that day. Each step is reached as a person finds it — the calendar card,
the patient page, the series page, the package page's links and the menu — never by typing an
address; at the desk's 1366x768 and on a phone's 390x844, where no billing page may scroll
sideways."""

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from billing.models import CancellationPolicy, CreditNote, DayClose, Fee, Invoice, Package, Refund
from clinic.localtime import local_date
from notifications.delivery import messages_sweep
from tests.browser.signin import sign_in
from tests.factories import (
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    WorkingHoursFactory,
    appointment_type,
    protocol,
)
from tests.treatments.factories_desk import ensure_seed, local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOOKED = local(2027, 4, 29, 12)  # a Thursday; the series starts the next Tuesday
SESSION_1, SESSION_2, SESSION_3 = local(2027, 5, 4, 9), local(2027, 6, 1, 9), local(2027, 6, 29, 9)


@pytest.fixture
def clinic(practitioner_user):
    ensure_seed()
    location = LocationFactory(name="Main Street")
    ada = PractitionerFactory(user=practitioner_user, display_name="Dr Ada Stone")
    for weekday in range(5):
        WorkingHoursFactory(practitioner=ada, location=location, weekday=weekday, start=dt.time(8), end=dt.time(17))
    patient = PatientFactory(
        first_name="Maria", last_name="Lopez", email="maria@example.com", preferred_channel="email"
    )
    Fee.objects.create(
        appointment_type=appointment_type("injection"),
        code_system="hcpcs",
        code="M0076",
        description="Prolotherapy session",
        unit_price=15000,
        valid_from=dt.date(2027, 1, 1),
    )
    Fee.objects.create(
        protocol=protocol(),
        package_sessions=5,
        code="PKG5",
        description="Series package, 5 sessions",
        unit_price=60000,
        valid_from=dt.date(2027, 1, 1),
    )
    CancellationPolicy.objects.create(
        appointment_type=appointment_type("injection"), window_hours=24, charge="fixed", amount=5000
    )
    return patient


@pytest.fixture
def mail_folder(settings, tmp_path):
    """E-mail written as files, as `make run` writes them under var/mail/."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.ADMIN_2FA_REQUIRED = False  # the clinic admin signs in with the password alone here
    return tmp_path / "mail"


SIZES = {"desk": (1366, 768), "phone": (390, 844)}


@pytest.fixture(params=sorted(SIZES))
def screen(request, page):
    width, height = SIZES[request.param]
    page.set_viewport_size({"width": width, "height": height})
    return request.param


def fits(page):
    """Nothing on the page scrolls sideways (on a phone the billing pages wrap)."""
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0, page.url


def menu(page, name):
    """A link of the top menu, opened first where it is folded (a phone)."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    page.locator("#nav").get_by_role("link", name=name, exact=True).click()


def card(page, name="Maria Lopez"):
    return page.locator(".cal-appt").filter(has_text=name)


def pointed(page):
    """The card in the middle of the screen and pointed at (a compact card shows its actions when
    pointed at or focused; on a phone the grid's sticky headers cover the screen's top edge)."""
    found = card(page)
    found.evaluate("e => e.scrollIntoView({block: 'center'})")
    found.hover()
    return found


def check_in_on_the_calendar(page, live_server, day: dt.date):
    page.goto(f"{live_server.url}/desk/?date={day.isoformat()}")
    pointed(page)  # a compact card shows its actions when pointed at (or focused)
    card(page).get_by_role("button", name="Check in").click()
    expect(card(page)).to_contain_text("Checked in")


def take_payment(page, amount: str):
    page.get_by_role("link", name="Take payment").click()
    page.get_by_label("Card (clinic terminal)").check()
    page.get_by_label("Amount received").fill(amount)
    page.get_by_label("Reference").fill("T-0042")
    page.locator("#payment-form input[name^='alloc_']").first.fill(amount)
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Payment of ${amount}")
    fits(page)


def test_a_knee_series_sold_as_a_package_from_booking_to_the_days_close(
    page, screen, live_server, clinic, mail_folder, desk_user, practitioner_user, admin_user
):
    page.on("dialog", lambda dialog: dialog.accept())  # "Mark this appointment as a no-show?"
    with time_machine.travel(BOOKED, tick=True) as clock:
        # The desk books the series of five and sells its package.
        sign_in(page, live_server, desk_user)
        page.goto(f"{live_server.url}/desk/patients/{clinic.pk}/")
        page.get_by_role("link", name="Book a series").click()
        page.get_by_label("Protocol").select_option(label="Knee OA — Rabago 2013")
        page.get_by_label("Practitioner").select_option(label="Dr Ada Stone")
        page.get_by_label("Location").select_option(label="Main Street")
        page.get_by_label("Side").select_option(label="Left")
        page.get_by_label("Sessions").fill("5")
        page.get_by_label("First session: date").fill("2027-05-04")
        page.get_by_label("First session: time").fill("09:00")
        page.get_by_role("button", name="Propose sessions").click()
        page.get_by_role("button", name="Book all 5 sessions").click()
        expect(page.get_by_text("Booked all 5 sessions.")).to_be_visible()
        page.get_by_role("link", name="Sell the package").click()
        expect(page.locator("#package-price")).to_have_text("$600.00")
        expect(page.locator("#single-visit-price")).to_contain_text("$150.00")
        page.get_by_role("button", name="Sell and invoice $600.00").click()
        expect(page.locator("#package-summary")).to_contain_text("0 of 5 sessions used")
        expect(page.locator("#package-summary")).to_contain_text("INV-000001 (issued, $600.00 due)")
        fits(page)

        # Session 1: checked in, the card says 1 of 5; checked out, half paid, the receipt e-mailed.
        clock.move_to(SESSION_1 - dt.timedelta(minutes=10))
        sign_in(page, live_server, desk_user)
        check_in_on_the_calendar(page, live_server, SESSION_1.date())
        expect(card(page)).to_contain_text("Session 1 of 5 — package")
        pointed(page).get_by_role("link", name="Check out").click()
        expect(page.locator("#package-cover")).to_have_text("Session 1 of 5 — package: the package pays for this visit")
        expect(page.locator("#owed")).to_contain_text("The patient owes $600.00 in all.")
        fits(page)
        take_payment(page, "300.00")
        page.get_by_role("button", name="E-mail receipt").click()
        messages_sweep(now=SESSION_1)
        receipts = [p.read_text() for p in mail_folder.glob("*.log")]
        assert any("received $300.00 from you" in text and "maria@example.com" in text for text in receipts)

        # Session 2: a no-show; the desk is offered the fee, a forfeit or a waiver, and forfeits one.
        clock.move_to(SESSION_2 + dt.timedelta(minutes=20))
        sign_in(page, live_server, desk_user)
        page.goto(f"{live_server.url}/desk/?date={SESSION_2.date().isoformat()}")
        pointed(page).get_by_role("button", name="No-show").click()
        expect(card(page)).to_contain_text("No-show")
        pointed(page).get_by_role("link", name="No-show: fee, forfeit or waiver").click()
        expect(page.get_by_label("Charge the fee ($50.00)")).to_be_visible()
        page.get_by_label("Forfeit one package session").check()
        page.get_by_role("button", name="Record the choice").click()
        expect(page.locator("#missed-decision")).to_contain_text("Package session forfeited")
        assert not Invoice.objects.filter(kind="fee").exists()  # nothing charged

        # Session 3: attended and paid up; then the practitioner stops the series.
        clock.move_to(SESSION_3 - dt.timedelta(minutes=10))
        sign_in(page, live_server, desk_user)
        check_in_on_the_calendar(page, live_server, SESSION_3.date())
        expect(card(page)).to_contain_text("Session 3 of 5 — package")
        # This time the desk checks out from the patient page (the visit's row).
        pointed(page).get_by_role("link", name="Maria Lopez").click()
        visit = page.locator("#past tr").filter(has_text="session 3")
        expect(visit).to_contain_text("Session 3 of 5 — package")
        expect(page.locator("#past")).to_contain_text("Session 2 of 5 forfeited — package")
        # On a phone the badges wrap: the visits' table needs no sideways scrolling of its own.
        assert page.locator("#past").evaluate("table => table.scrollWidth <= table.clientWidth")
        visit.get_by_role("link", name="Check out").click()
        expect(page.locator("#package-cover")).to_have_text("Session 3 of 5 — package: the package pays for this visit")
        take_payment(page, "300.00")
        sign_in(page, live_server, practitioner_user)
        page.goto(f"{live_server.url}/desk/patients/{clinic.pk}/")
        page.get_by_role("link", name="Knee OA — Rabago 2013").click()
        page.get_by_label("Reason").fill("No better after three sessions")
        page.get_by_role("button", name="Discontinue").click()
        expect(page.get_by_text("The series was discontinued")).to_be_visible()

        # The desk closes the package: the arithmetic on screen, the credit note; the clinic admin
        # then refunds what is owed back (a refund is the admin's).
        sign_in(page, live_server, desk_user)
        page.goto(f"{live_server.url}/desk/patients/{clinic.pk}/")
        page.get_by_role("link", name="Knee OA — Rabago 2013").click()
        page.get_by_role("link", name="Series stopped: close the package").click()
        arithmetic = page.locator("#refund-arithmetic")
        expect(arithmetic).to_contain_text("3 sessions used × $150.00 single-visit price = $450.00")
        expect(arithmetic).to_contain_text("Refund: $600.00 paid − $450.00 = $150.00")
        expect(arithmetic).to_contain_text("Credit note: $600.00 package price − $450.00 = $150.00")
        page.get_by_label("Reason").fill("Series stopped by the practitioner")
        page.get_by_role("button", name="Close and issue the credit note ($150.00)").click()
        expect(page.get_by_text("Refund $150.00 against the payment on the invoice.")).to_be_visible()
        expect(page.locator("#credit-arithmetic")).to_contain_text("Refund: $600.00 paid − $450.00 = $150.00")
        fits(page)
        note = CreditNote.objects.get()
        sign_in(page, live_server, admin_user)
        page.goto(f"{live_server.url}/billing/packages/{Package.objects.get().pk}/")
        # The package page offers the refund from each payment that paid it, filled in.
        page.locator("#refund-offers").get_by_role("link", name="Refund $150.00").last.click()
        expect(page.get_by_label("Amount")).to_have_value("$150.00")
        page.get_by_label("Reason").fill("Package closed early")
        page.get_by_role("button", name="Refund").click()
        expect(page.locator("#payment-refunds")).to_contain_text("$150.00")
        fits(page)
        assert Invoice.objects.get(pk=note.invoice_id).balance == 0 and Refund.objects.count() == 1

        # The day's close: $300.00 taken by card, $150.00 refunded; $150.00 counted, no difference.
        menu(page, "Billing")
        page.get_by_role("link", name="Day's close").click()
        expect(page.locator("#day-expected")).to_have_text("$150.00")
        page.get_by_label("Card (clinic terminal) counted").fill("150.00")
        page.get_by_role("button", name="Close the day").click()
        expect(page.locator("#day-closed")).to_be_visible()
        fits(page)
        close = DayClose.objects.get()
        assert close.business_date == local_date(SESSION_3)
        assert all(line.variance == 0 for line in close.lines.all())
