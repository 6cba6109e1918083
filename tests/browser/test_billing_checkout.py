"""The desk checks a visit out in a real browser: invoices it from the fee schedule, takes a card
payment whose form reaches the server twice at once (one payment), prints the receipt twice
(nothing charged again), e-mails it through the outbox, and closes the day."""

import pytest
from playwright.sync_api import expect

from billing.models import Invoice, Payment
from notifications.models import Message
from tests.billing.factories import desk_setup
from tests.factories import PASSWORD
from tests.seeds import reseed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_desk_checks_out_a_visit_pays_by_card_prints_and_emails_the_receipt_and_closes_the_day(
    login, desk_user, live_server
):
    reseed()
    desk = desk_setup(price=15000)
    page = login(desk_user.username, PASSWORD)
    page.goto(f"{live_server.url}/billing/checkout/{desk.appointment.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-out")
    page.get_by_role("button", name="Invoice this visit from the fee schedule").click()
    expect(page.get_by_role("status")).to_contain_text("INV-000001 issued for this visit.")
    expect(page.locator("#owed")).to_contain_text("The patient owes $150.00 in all.")

    page.get_by_role("link", name="Take payment").click()
    expect(page.get_by_label("Amount received")).to_have_value("$150.00")
    page.get_by_label("Card (clinic terminal)").check()
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator("#billing-error, .invalid-feedback").first).to_contain_text("Enter the reference")
    page.get_by_label("Reference").fill("T-4471")
    # The same form (the same attempt key) sent twice, as a double click or a retry after a time-out
    # does: the second answer leads to the first one's payment. (Two at the same instant are raced
    # on PostgreSQL in tests/billing/test_races_postgres.py; the browser's test database is SQLite
    # in memory, which cannot take two writers at once.)
    landed = page.evaluate(
        """async () => {
            const form = document.getElementById("payment-form");
            const send = () => fetch(location.href, {method: "POST", body: new FormData(form)});
            const first = await send();
            const second = await send();
            return [first, second].map((answer) => new URL(answer.url).pathname);
        }"""
    )
    payment = Payment.objects.get()
    assert landed == [f"/billing/payments/{payment.pk}/"] * 2
    page.goto(f"{live_server.url}{landed[0]}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Payment of $150.00")
    assert Payment.objects.count() == 1
    assert Invoice.objects.get().status == Invoice.Status.PAID

    page.get_by_role("link", name="Print receipt").click()
    expect(page.locator("#receipt-amount")).to_have_text("$150.00")
    page.reload()
    expect(page.locator("#receipt")).to_contain_text("Card (clinic terminal) (T-4471)")
    assert Payment.objects.count() == 1
    page.get_by_role("link", name="Back to the payment").click()
    page.get_by_role("button", name="E-mail receipt").click()
    expect(page.get_by_role("status")).to_contain_text("The receipt is on its way to the patient.")
    assert Message.objects.filter(kind="paid", patient=desk.patient).count() == 1

    page.get_by_role("link", name="Day's close").click()
    expect(page.locator("#day-expected")).to_have_text("$150.00")
    page.get_by_role("button", name="Close the day").click()
    expect(page.locator("#day-closed")).to_have_text("closed")
    expect(page.get_by_role("button", name="Close the day")).to_have_count(0)
