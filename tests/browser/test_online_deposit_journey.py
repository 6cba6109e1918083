"""Issue 23's done-when: a new patient books at /book/ with a deposit paid on the fake Stripe's
hosted checkout page; the page "pays" and sends the signed webhook to the app; the desk sees the
deposit applied; after session 1 (checked in at the desk) the patient downloads the superbill PDF
from the portal's money page (its text read back with pdftotext); the same webhook replayed
changes nothing; the clinic admin voids the deposit and refunds it, and the refund reaches the fake
Stripe once. At desk width (1366x768) and on a phone (390x844).

The real `stripe` library and billing's StripeGateway talk to the fake Stripe API on loopback
(tests/billing/fake_stripe.py, pytest-httpserver); nothing is mocked."""

import datetime as dt
import re
import subprocess

import pytest
import time_machine
from playwright.sync_api import expect

from billing.models import DepositPolicy, Fee, Invoice, Package, Payment, Refund
from clinic.models import AppointmentType
from tests.billing.fake_stripe import fake_stripe_fixture, threaded_fake_stripe_fixture  # noqa: F401 (fixtures)
from tests.browser.signin import sign_in
from tests.seeds import reseed
from tests.treatments.factories_calendar import at, practitioner_with_hours
from treatments.models import Appointment, OnlineBooking

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
def clinic(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.ADMIN_2FA_REQUIRED = False  # the clinic admin signs in with the password alone here
    practitioner_with_hours("Dr Ada Stone")
    consultation = AppointmentType.objects.get(slug="consultation")
    AppointmentType.objects.filter(pk=consultation.pk).update(bookable_online=True)
    Fee.objects.create(
        appointment_type=consultation,
        code_system="cpt",
        code="99203",
        description="New patient visit",
        unit_price=20000,
        valid_from=dt.date(2027, 1, 1),
    )
    DepositPolicy.objects.create(appointment_type=consultation, charge="percent", percent_bp=2000)
    return tmp_path / "mail"


def _code_from(folder) -> str:
    mails = sorted(folder.glob("*.log"))
    return re.search(r"booking code is (\d{6})", mails[-1].read_text()).group(1)


@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)], ids=["desk", "phone"])
def test_a_new_patient_pays_a_deposit_online_and_the_desk_refunds_it_to_the_card(
    page, live_server, clinic, fake_stripe, desk_user, admin_user, viewport, tmp_path
):
    from patients.tokens import portal_token_issue

    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    fake_stripe.webhook_url = f"{live_server.url}/billing/stripe/webhook/"
    with time_machine.travel(NOW, tick=True) as clock:
        page.goto(f"{live_server.url}/book/")
        page.get_by_role("link", name="10:00 with Dr Ada Stone").click()
        page.get_by_label("First name").fill("Nina")
        page.get_by_label("Last name").fill("Berg")
        page.get_by_label("Date of birth").fill("1980-03-04")
        page.get_by_label("Mobile phone").fill("(312) 555-0188")
        page.get_by_role("textbox", name="E-mail").fill("nina@example.com")
        page.get_by_role("radio", name="E-mail").check()
        page.get_by_role("button", name="Hold this time and send my code").click()
        page.get_by_label("The 6-digit code").fill(_code_from(clinic))
        page.get_by_role("button", name="Confirm my booking").click()

        # The deposit: 20 % of the $200.00 visit, fixed by the server; the time is held meanwhile.
        expect(page.get_by_role("heading", level=1)).to_have_text("Pay the deposit")
        expect(page.get_by_text("The clinic asks a deposit of $40.00 to book online.")).to_be_visible()
        assert OnlineBooking.objects.get().status == "paying" and Appointment.objects.count() == 0
        page.get_by_role("button", name="Pay $40.00 by card").click()
        page.get_by_role("link", name="Continue to the card page").click()

        # The fake hosted checkout page: it "pays", sends the signed webhook, and sends the patient back.
        expect(page.get_by_role("heading", level=1)).to_have_text("Fake Stripe Checkout")
        expect(page.locator("#amount")).to_have_text("4000 usd")
        page.get_by_role("button", name="Pay").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
        expect(page.get_by_text("Consultation · Tuesday 11 May, 10:00 · Main Street")).to_be_visible()
        assert len(fake_stripe.events_sent) == 1  # the webhook reached the app (200) before the return

        appointment = Appointment.objects.get()
        deposit = Invoice.objects.get(kind="deposit")
        payment = Payment.objects.get()
        assert (deposit.appointment_id, deposit.status, payment.method) == (appointment.pk, "paid", "card_online")

        # The desk sees the deposit applied: the invoice paid by the online card payment.
        sign_in(page, live_server, desk_user)
        page.goto(f"{live_server.url}/billing/invoices/{deposit.pk}/")
        expect(page.locator("#invoice-status")).to_have_text("Paid")
        expect(page.get_by_text("paid $40.00 (Card (online))")).to_be_visible()

        # Session 1: the desk checks the patient in on the day's calendar.
        clock.move_to(appointment.start + dt.timedelta(minutes=5))
        sign_in(page, live_server, desk_user)  # a day later: the desk's idle session has ended
        page.goto(f"{live_server.url}/desk/?date={appointment.start.date().isoformat()}")
        visit = page.locator(f"#appt-{appointment.pk}")
        visit.hover()  # a compact card shows its actions when pointed at (or focused)
        visit.get_by_role("button", name="Check in").click()
        expect(visit).to_contain_text("Checked in")

        # The patient, by their link: "Your account", then the superbill of the visit as a PDF.
        token = portal_token_issue(patient=appointment.patient, now=appointment.start, days=365)
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/portal/{token}/")
        page.get_by_role("link", name="Your account").click()
        expect(page.locator("#visits-superbill")).to_contain_text("1 visit outside a treatment series.")
        with page.expect_download() as download_info:
            page.locator("#visits-superbill").get_by_role("link", name="Download the superbill (PDF)").click()
        pdf = tmp_path / "superbill.pdf"
        download_info.value.save_as(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "Superbill" in text and "Nina Berg" in text and "1980-03-04" in text
        assert "2027-05-11" in text and "CPT 99203" in text and "$200.00" in text and "$40.00" in text
        assert "Medicare does not cover prolotherapy" in text

        # The same webhook again (Stripe retries): one payment still.
        assert fake_stripe.deliver(fake_stripe.events_sent[0]) == 200
        assert Payment.objects.count() == 1 and Invoice.objects.get(pk=deposit.pk).balance == 0

        # The clinic admin voids the deposit and refunds it: the refund reaches Stripe once.
        sign_in(page, live_server, admin_user)
        page.goto(f"{live_server.url}/billing/invoices/{deposit.pk}/")
        page.get_by_text("Correct this invoice (clinic admin)").click()
        page.locator("form[action$='/void/']").get_by_label("Reason").fill("Patient cannot come")
        page.get_by_role("button", name="Void invoice").click()
        expect(page.locator("#invoice-status")).to_have_text("Void")
        page.locator("a[href^='/billing/payments/']").last.click()
        page.get_by_role("link", name="Refund").click()
        page.get_by_label("Amount").fill("40.00")
        page.get_by_label("Reason").fill("Patient cannot come")
        page.get_by_role("button", name="Refund").click()
        expect(page.locator("#payment-refunds")).to_contain_text("$40.00")
        assert len(fake_stripe.refunds) == 1 and fake_stripe.refunds[0]["payment_intent"] == payment.reference
        assert Refund.objects.get().reference == fake_stripe.refunds[0]["id"]


def test_a_patient_buys_the_series_package_on_the_fake_checkout_page_and_the_desk_sees_it(
    browser, live_server, fake_stripe, desk_user
):
    """Issue 23, item 1: the portal's money page offers the package at the desk's price; the fake
    hosted page pays and sends the signed webhook; the desk's series page says "Package: 0 of 5
    used". Each new page passes axe (a context with bypass_csp, so axe can be injected)."""
    from tests.billing.factories_series import knee_series
    from tests.browser.axe_portal import assert_accessible
    from tests.treatments.factories_portal import issue_link

    fake_stripe.webhook_url = f"{live_server.url}/billing/stripe/webhook/"
    setup = knee_series()
    token = issue_link(setup.patient, now=NOW, days=3650)
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    with time_machine.travel(NOW, tick=True):
        page.goto(f"{live_server.url}/billing/portal/{token}/")
        assert_accessible(page)
        page.get_by_role("link", name="Buy the package — 5 sessions for $600.00").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Buy the package")
        expect(page.locator("#package-to-pay")).to_have_text("To pay now: $600.00")
        assert_accessible(page)
        page.get_by_role("button", name="Pay $600.00 now").click()
        page.get_by_role("link", name="Continue to the card page").click()
        expect(page.locator("#amount")).to_have_text("60000 usd")
        page.get_by_role("button", name="Pay").click()
        expect(page.locator("#package-bought")).to_contain_text("Your package is bought")
        assert_accessible(page)
        assert len(fake_stripe.events_sent) == 1  # the signed webhook reached the app
        package = Package.objects.get()
        assert (package.invoice.status, Payment.objects.get().method) == ("paid", "card_online")
        assert fake_stripe.deliver(fake_stripe.events_sent[0]) == 200  # a replay: nothing more
        assert Package.objects.count() == 1 and Payment.objects.count() == 1

        sign_in(page, live_server, desk_user)
        page.goto(f"{live_server.url}/desk/series/{setup.series.pk}/")
        expect(page.get_by_text("Package: 0 of 5 used").first).to_be_visible()
    context.close()


def test_after_the_deposit_the_patient_saves_a_card_for_late_cancellations(
    browser, live_server, clinic, threaded_fake_stripe
):
    """Issue 23, item 4 inside /book/: once booked and the deposit paid, the visit's type has a
    late-cancel fee, so the patient reads the policy, ticks "I agree" and saves a card on the fake
    Stripe's setup page; its webhook (which asks the fake Stripe for the card) and the return make
    one SavedCard. Each new page passes axe."""
    from billing.models import CancellationPolicy, SavedCard
    from tests.browser.axe_portal import assert_accessible

    fake = threaded_fake_stripe
    fake.webhook_url = f"{live_server.url}/billing/stripe/webhook/"
    CancellationPolicy.objects.create(
        appointment_type=AppointmentType.objects.get(slug="consultation"), window_hours=24, amount=7500
    )
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    with time_machine.travel(NOW, tick=True):
        page.goto(f"{live_server.url}/book/")
        page.get_by_role("link", name="10:00 with Dr Ada Stone").click()
        page.get_by_label("First name").fill("Nina")
        page.get_by_label("Last name").fill("Berg")
        page.get_by_label("Date of birth").fill("1980-03-04")
        page.get_by_label("Mobile phone").fill("(312) 555-0188")
        page.get_by_role("textbox", name="E-mail").fill("nina@example.com")
        page.get_by_role("radio", name="E-mail").check()
        page.get_by_role("button", name="Hold this time and send my code").click()
        page.get_by_label("The 6-digit code").fill(_code_from(clinic))
        page.get_by_role("button", name="Confirm my booking").click()
        page.get_by_role("button", name="Pay $40.00 by card").click()
        page.get_by_role("link", name="Continue to the card page").click()
        page.get_by_role("button", name="Pay").click()

        # Booked and paid: the optional card step, with the policy's words.
        expect(page.get_by_role("heading", name="Save a card for late cancellations (optional)")).to_be_visible()
        expect(page.locator("#policy-text")).to_contain_text("may cost $75.00")
        assert_accessible(page)
        page.get_by_role("button", name="Save a card").click()  # "I agree" not ticked
        expect(page.get_by_role("alert")).to_contain_text("tick that you have read the policy")
        page.get_by_label("I agree: I have read the policy, and a fee may be charged to this card.").check()
        page.get_by_role("button", name="Save a card").click()
        page.get_by_role("link", name="Continue to the card page").click()
        expect(page.locator("#amount")).to_have_text("0 usd")  # setup mode: nothing charged
        page.get_by_role("button", name="Pay").click()
        expect(page.get_by_text("Your card is saved for late cancellations. Nothing was charged.")).to_be_visible()
        assert_accessible(page)
        assert len(fake.events_sent) == 2  # the deposit's and the card's webhooks reached the app
        card = SavedCard.objects.get()
        assert card.card == "pm_card_visa" and "may cost $75.00" in card.policy_text
        assert Payment.objects.count() == 1  # the deposit only
    context.close()
