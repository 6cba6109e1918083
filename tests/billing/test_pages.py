"""Billing's pages: who may open them, what they show, a fixed number of queries, and every bad
input answered in the page with nothing half-saved."""

import datetime as dt
import html
import re
import uuid

import pytest
from django.urls import reverse

from billing import services
from billing.models import CreditNote, DayClose, Fee, Invoice, InvoiceLine, Payment, Refund
from clinic.models import Location
from notifications.models import Message
from tests.billing.factories import NOW, desk_setup, issued_invoice, key, pay
from tests.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _key(response) -> str:
    return re.search(r'name="attempt_key" value="([0-9a-f-]{36})"', response.content.decode()).group(1)


# Who may open what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["billing:invoices", "billing:day_close"],
)
def test_the_desk_and_practitioners_open_billing_and_anonymous_visitors_are_sent_to_log_in(client, desk_client, name):
    assert desk_client.get(reverse(name)).status_code == 200
    client.logout()
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_voids_refunds_write_offs_and_credit_notes_are_the_clinic_admins(desk_client, practitioner_client):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    payment = pay(desk, invoice, 15000).payment
    for client in (desk_client, practitioner_client):
        for url in (
            reverse("billing:invoice_void", args=[invoice.pk]),
            reverse("billing:invoice_write_off", args=[invoice.pk]),
            reverse("billing:invoice_credit", args=[invoice.pk]),
            reverse("billing:refund_new", args=[payment.pk]),
        ):
            assert client.post(url, {"version": invoice.version, "reason": "x", "amount": "1"}).status_code == 403
    assert desk_client.get(reverse("billing:refund_new", args=[payment.pk])).status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == "paid" and not CreditNote.objects.exists() and not Refund.objects.exists()
    # The desk is not offered the admin's corrections.
    assert "Correct this invoice" not in _text(desk_client.get(reverse("billing:invoice", args=[invoice.pk])))


def test_unknown_ids_are_404(desk_client):
    for name in ("billing:invoice", "billing:payment", "billing:receipt", "billing:checkout"):
        assert desk_client.get(reverse(name, args=[999999])).status_code == 404


# Invoices ---------------------------------------------------------------------------------------


def test_the_invoice_list_reads_a_fixed_number_of_queries(desk_client, django_assert_max_num_queries):
    desk = desk_setup()
    for _ in range(3):
        issued_invoice(desk)
    with django_assert_max_num_queries(12) as few:
        desk_client.get(reverse("billing:invoices"))
    for _ in range(20):
        issued_invoice(desk, amount=999)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = desk_client.get(reverse("billing:invoices"))
    assert "INV-000023" in _text(response) and "$9.99" in _text(response)


def test_the_desk_writes_a_draft_adds_lines_and_issues_it(desk_client):
    desk = desk_setup()
    response = desk_client.post(
        reverse("billing:invoice_new") + f"?patient={desk.patient.pk}",
        {"patient": desk.patient.pk, "location": desk.location.pk, "kind": "regular"},
    )
    invoice = Invoice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("billing:invoice", args=[invoice.pk])
    url = reverse("billing:invoice_add_line", args=[invoice.pk])
    desk_client.post(url, {"version": invoice.version, "fee": desk.fee.pk, "quantity": 2})
    invoice.refresh_from_db()
    desk_client.post(
        url,
        {
            "line": "free",
            "version": invoice.version,
            "description": "Knee brace",
            "code_system": "internal",
            "unit_price": "40.50",
            "quantity": 1,
            "tax_rate": "8.25",
        },
    )
    invoice.refresh_from_db()
    assert invoice.total == 2 * 15000 + 4050 + 334
    response = desk_client.post(reverse("billing:invoice_issue", args=[invoice.pk]), {"version": invoice.version})
    page = _text(desk_client.get(response["Location"]))
    assert "INV-000001" in page and "Issued" in page and "$343.84" in page
    assert "Prolotherapy injection session" in page and "8.25%" in page
    assert "· Sale ·" in page and "Visit or sale" not in page  # no visit: a sale, said plainly


def test_a_bad_price_is_shown_in_the_page_and_nothing_is_added(desk_client):
    desk = desk_setup()
    invoice = services.invoice_create_draft(patient_id=desk.patient.pk, location_id=desk.location.pk, by=None, now=NOW)
    response = desk_client.post(
        reverse("billing:invoice_add_line", args=[invoice.pk]),
        {
            "line": "free",
            "version": invoice.version,
            "description": "x",
            "code_system": "internal",
            "unit_price": "12,5x",
            "quantity": 1,
        },
    )
    assert response.status_code == 400
    assert "is not an amount: use digits, e.g. 40 or 40.50." in _text(response)
    assert not InvoiceLine.objects.exists()


def test_editing_an_issued_invoice_is_refused_in_the_page(desk_client):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    response = desk_client.post(
        reverse("billing:invoice_add_line", args=[invoice.pk]),
        {"version": invoice.version, "fee": desk.fee.pk, "quantity": 1},
    )
    assert response.status_code == 400
    assert _text(response).count("INV-000001 is issued: an issued invoice is never changed or deleted.") == 1
    assert InvoiceLine.objects.count() == 1
    # The issued page offers no way to edit: no line forms, no discard.
    page = _text(desk_client.get(reverse("billing:invoice", args=[invoice.pk])))
    assert "Add line" not in page and "Discard draft" not in page


def test_the_desk_removes_a_line_and_discards_the_draft_from_its_page(desk_client):
    desk = desk_setup()
    invoice = services.invoice_create_draft(patient_id=desk.patient.pk, location_id=desk.location.pk, by=None, now=NOW)
    line = services.invoice_add_line(
        invoice_id=invoice.pk, version=None, description="Knee brace", unit_price=4050, by=None, now=NOW
    )
    invoice.refresh_from_db()
    response = desk_client.post(
        reverse("billing:invoice_remove_line", args=[invoice.pk, line.pk]), {"version": invoice.version}
    )
    assert response.status_code == 302 and response["Location"] == reverse("billing:invoice", args=[invoice.pk])
    assert "Line removed $40.50 — Knee brace" in _text(desk_client.get(response["Location"]))
    assert not InvoiceLine.objects.exists()
    invoice.refresh_from_db()
    response = desk_client.post(reverse("billing:invoice_discard", args=[invoice.pk]), {"version": invoice.version})
    assert response.status_code == 302 and response["Location"] == reverse("billing:invoices")
    assert "The draft was discarded." in _text(desk_client.get(response["Location"]))
    assert not Invoice.objects.exists()


def test_discarding_a_draft_someone_else_changed_is_refused_and_the_draft_stays(desk_client):
    desk = desk_setup()
    invoice = services.invoice_create_draft(patient_id=desk.patient.pk, location_id=desk.location.pk, by=None, now=NOW)
    services.invoice_add_line(invoice_id=invoice.pk, version=None, description="a", unit_price=100, by=None, now=NOW)
    response = desk_client.post(reverse("billing:invoice_discard", args=[invoice.pk]), {"version": invoice.version})
    assert response.status_code == 409
    assert "was changed by someone else while you were on this page. Reload it and try again." in _text(response)
    assert Invoice.objects.get().lines.count() == 1
    response = desk_client.post(reverse("billing:invoice_discard", args=[invoice.pk]), {"version": "x"})
    assert response.status_code == 400 and Invoice.objects.exists()


def test_a_page_left_open_while_someone_else_changed_the_invoice_is_told_to_reload(desk_client):
    desk = desk_setup()
    invoice = services.invoice_create_draft(patient_id=desk.patient.pk, location_id=desk.location.pk, by=None, now=NOW)
    services.invoice_add_line(invoice_id=invoice.pk, version=None, description="a", unit_price=100, by=None, now=NOW)
    response = desk_client.post(reverse("billing:invoice_issue", args=[invoice.pk]), {"version": invoice.version})
    assert response.status_code == 409
    assert "was changed by someone else while you were on this page. Reload it and try again." in _text(response)
    invoice.refresh_from_db()
    assert invoice.status == "draft"


def test_the_invoice_page_shows_its_history_in_a_fixed_number_of_queries(
    desk_client, admin_user, django_assert_max_num_queries
):
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=30000)
    pay(desk, invoice, 10000)
    with django_assert_max_num_queries(20) as few:
        desk_client.get(reverse("billing:invoice", args=[invoice.pk]))
    for _ in range(5):
        invoice.refresh_from_db()
        pay(desk, invoice, 1000)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = desk_client.get(reverse("billing:invoice", args=[invoice.pk]))
    page = _text(response)
    assert "Balance due" in page and "$150.00" in page
    assert page.count("Payment allocated") == 6


def test_the_clinic_admin_voids_an_invoice_with_a_reason(admin_client_):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    url = reverse("billing:invoice_void", args=[invoice.pk])
    response = admin_client_.post(url, {"version": invoice.version, "attempt_key": uuid.uuid4(), "reason": ""})
    assert response.status_code == 400 and "This field is required." in _text(response)
    assert not CreditNote.objects.exists()
    response = admin_client_.post(
        url, {"version": invoice.version, "attempt_key": uuid.uuid4(), "reason": "Wrong patient"}, follow=True
    )
    page = _text(response)
    assert "Void" in page and "CN-000001 credits $150.00 — Wrong patient" in page
    assert "Balance due" in page and "$0.00" in page


# Payments ---------------------------------------------------------------------------------------


def _payment_form(desk_client, desk, invoice):
    response = desk_client.get(
        reverse("billing:payment_new") + f"?patient={desk.patient.pk}&invoice={invoice.pk}&location={desk.location.pk}"
    )
    assert response.status_code == 200
    return {
        "patient": desk.patient.pk,
        "location": desk.location.pk,
        "attempt_key": _key(response),
        "method": "card_terminal",
        "reference": "T-1",
        "amount": "150.00",
        f"alloc_{invoice.pk}": "150.00",
        f"version_{invoice.pk}": invoice.version,
    }


def test_taking_a_payment_pays_the_invoice_and_a_double_click_records_it_once(desk_client):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    form = _payment_form(desk_client, desk, invoice)
    first = desk_client.post(reverse("billing:payment_new"), form)
    second = desk_client.post(reverse("billing:payment_new"), form, follow=True)
    payment = Payment.objects.get()
    assert first["Location"] == reverse("billing:payment", args=[payment.pk])
    assert second.redirect_chain[-1][0] == reverse("billing:payment", args=[payment.pk])
    assert "This payment was already recorded (the form was sent twice)." in _text(second)
    invoice.refresh_from_db()
    assert invoice.status == "paid"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "0"}, "Enter an amount above zero."),
        ({"amount": "-5"}, "Enter an amount above zero, without a minus sign."),
        ({"amount": "abc"}, "is not an amount"),
        ({"amount": "150.001"}, "at most 2 decimals"),
        ({"amount": "150.01", "alloc": "150.01"}, "$150.01 is more than the balance of INV-000001 ($150.00)."),
        ({"amount": "200"}, "The payment is $50.00 more than the invoices&#x27; balance."),
        ({"reference": ""}, "Enter the reference for this method."),
        ({"alloc": "", "amount": "10"}, "Say how much goes to which invoice"),
    ],
)
def test_bad_payments_are_explained_in_the_page_and_nothing_is_recorded(desk_client, changes, message):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    form = _payment_form(desk_client, desk, invoice)
    if "alloc" in changes:
        form[f"alloc_{invoice.pk}"] = changes.pop("alloc")
    form.update(changes)
    response = desk_client.post(reverse("billing:payment_new"), form)
    assert response.status_code == 400
    assert message in response.content.decode()
    invoice.refresh_from_db()
    assert not Payment.objects.exists() and invoice.balance == 15000


def test_a_payment_without_any_active_location_asks_to_set_one_up_and_records_nothing(desk_client):
    patient = PatientFactory()
    Location.objects.update(active=False)
    form = {"patient": patient.pk, "attempt_key": key(), "method": "cash", "reference": "", "amount": "20.00"}
    response = desk_client.post(reverse("billing:payment_new"), form)
    assert response.status_code == 400
    assert "Set up a location first." in _text(response)
    assert not Payment.objects.exists()


def test_two_desks_on_the_same_invoice_the_second_is_told_to_reload(desk_client):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    first = _payment_form(desk_client, desk, invoice)
    second = _payment_form(desk_client, desk, invoice)
    desk_client.post(reverse("billing:payment_new"), first)
    response = desk_client.post(reverse("billing:payment_new"), {**second, "method": "cash"})
    assert response.status_code == 409
    assert "INV-000001 was changed by someone else" in _text(response)
    assert Payment.objects.count() == 1


def test_an_overpayment_kept_as_credit_when_the_desk_ticks_it(desk_client):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    form = {**_payment_form(desk_client, desk, invoice), "amount": "200", "keep_change_as_credit": "on"}
    response = desk_client.post(reverse("billing:payment_new"), form, follow=True)
    assert "$200.00 received." in _text(response)
    assert services.credit_balance(desk.patient.pk) == 5000


def test_the_receipt_prints_again_and_again_without_charging(desk_client):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    payment = pay(desk, invoice, 15000, method="card_terminal", reference="T-5").payment
    for _ in range(3):
        page = _text(desk_client.get(reverse("billing:receipt", args=[payment.pk])))
    assert "Receipt" in page and "$150.00" in page and "Card (clinic terminal) (T-5)" in page and "INV-000001" in page
    assert Payment.objects.count() == 1 and Invoice.objects.get().balance == 0


def test_the_receipt_is_emailed_through_the_outbox_once_per_click(desk_client):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    payment = pay(desk, invoice, 15000).payment
    page = desk_client.get(reverse("billing:payment", args=[payment.pk]))
    attempt = _key(page)
    url = reverse("billing:receipt_email", args=[payment.pk])
    assert "on its way" in _text(desk_client.post(url, {"attempt_key": attempt}, follow=True))
    assert "already queued" in _text(desk_client.post(url, {"attempt_key": attempt}, follow=True))
    assert Message.objects.filter(kind="paid", patient=desk.patient).count() == 1


def test_the_admin_refunds_what_is_owed_back_and_no_more(admin_client_, admin_user):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    payment = pay(desk, invoice, 15000).payment
    url = reverse("billing:refund_new", args=[payment.pk])
    assert "Nothing of this payment is owed back" in _text(admin_client_.get(url))
    services.credit_note_issue(
        invoice_id=invoice.pk,
        version=None,
        lines=[services.CreditLine(description="One session not given", amount=5000)],
        reason="Stopped",
        attempt_key=key(),
        by=admin_user,
        now=NOW,
    )
    page = admin_client_.get(url)
    assert "INV-000001, owed back to the patient ($50.00)" in _text(page)
    form = {"attempt_key": _key(page), "source": str(invoice.pk), "amount": "50.01", "reason": "Stopped"}
    response = admin_client_.post(url, form)
    assert response.status_code == 400 and "Only $50.00 paid by this payment is owed back on INV-000001" in _text(
        response
    )
    assert not Refund.objects.exists()
    response = admin_client_.post(url, {**form, "amount": "50"}, follow=True)
    assert "$50.00 refunded by Cash." in _text(response)
    assert Refund.objects.get().amount == 5000


# Check-out --------------------------------------------------------------------------------------


def test_check_out_invoices_the_visit_and_shows_what_is_owed(desk_client, django_assert_max_num_queries):
    desk = desk_setup()
    url = reverse("billing:checkout", args=[desk.appointment.pk])
    page = _text(desk_client.get(url))
    assert "Invoice this visit from the fee schedule" in page and "The patient owes $0.00 in all." in page
    response = desk_client.post(reverse("billing:checkout_invoice", args=[desk.appointment.pk]), follow=True)
    page = _text(response)
    assert "INV-000001 issued for this visit." in page and "The patient owes $150.00 in all." in page
    assert "Invoice this visit" not in page
    invoice = Invoice.objects.get()
    pay(desk, invoice, 7000)
    pay(desk, invoice, 8000, method="card_terminal", reference="T-2")
    with django_assert_max_num_queries(18):
        page = _text(desk_client.get(url))
    assert "The patient owes $0.00 in all." in page and "print receipt" in page


def test_check_out_of_a_visit_without_a_fee_says_what_to_do(desk_client):
    desk = desk_setup()
    Fee.objects.all().delete()
    response = desk_client.post(reverse("billing:checkout_invoice", args=[desk.appointment.pk]))
    assert response.status_code == 400
    assert "No fee is set for" in _text(response) and "the clinic admin adds one in setup" in _text(response)
    assert not Invoice.objects.exists()


def test_check_out_of_another_patients_visit_lists_only_that_patient(desk_client):
    desk = desk_setup()
    issued_invoice(desk, amount=7777)
    other = AppointmentFactory(
        patient=PatientFactory(), location=desk.location, start=NOW, end=NOW + dt.timedelta(minutes=30)
    )
    page = _text(desk_client.get(reverse("billing:checkout", args=[other.pk])))
    assert "$77.77" not in page and "The patient owes $0.00 in all." in page


# The day's close ---------------------------------------------------------------------------------


def test_the_day_close_page_balances_and_locks_the_day(desk_client, django_assert_max_num_queries):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    pay(desk, invoice, 15000, now=NOW)
    url = reverse("billing:day_close") + f"?location={desk.location.pk}&date=2026-05-04"
    desk_client.get(url)  # the clinic's settings row is made on the first page of all
    with django_assert_max_num_queries(15):
        page = _text(desk_client.get(url))
    assert "$150.00" in page
    form = {"location": desk.location.pk, "date": "2026-05-04", "counted_cash": "140", "note": ""}
    response = desk_client.post(reverse("billing:day_close"), form)
    assert response.status_code == 400 and "say why in the note before closing" in _text(response)
    assert not DayClose.objects.exists()
    response = desk_client.post(reverse("billing:day_close"), {**form, "counted_cash": "150"}, follow=True)
    page = _text(response)
    assert "4 May 2026 is closed." in page and "closed" in page and "Close the day" not in page
    response = desk_client.post(reverse("billing:day_close"), {**form, "counted_cash": "150"})
    assert response.status_code == 400 and "already closed" in _text(response)


def test_a_bad_count_is_shown_in_the_page(desk_client):
    desk = desk_setup()
    form = {"location": desk.location.pk, "date": "2026-05-04", "counted_cash": "12.345"}
    response = desk_client.post(reverse("billing:day_close"), form)
    assert response.status_code == 400 and "at most 2 decimals" in _text(response)
    assert not DayClose.objects.exists()


# Setup --------------------------------------------------------------------------------------------


def test_the_clinic_admin_sets_a_fee_in_setup_and_ledgers_are_read_only(admin_client_):
    desk = desk_setup()
    issued_invoice(desk)
    from tests.factories import appointment_type

    response = admin_client_.post(
        reverse("admin:billing_fee_add"),
        {
            "appointment_type": appointment_type("follow-up").pk,
            "code_system": "cpt",
            "code": "99213",
            "description": "Follow-up visit",
            "unit_price": "95.50",
            "tax_rate": "0",
            "valid_from": "2026-01-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Fee.objects.get(code="99213").unit_price == 9550
    invoice = Invoice.objects.get()
    assert admin_client_.get(reverse("admin:billing_invoice_change", args=[invoice.pk])).status_code == 200
    assert (
        admin_client_.post(reverse("admin:billing_invoice_delete", args=[invoice.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_a_fee_for_both_a_visit_and_a_package_is_refused_in_setup(admin_client_):
    from tests.factories import appointment_type, protocol

    response = admin_client_.post(
        reverse("admin:billing_fee_add"),
        {
            "appointment_type": appointment_type("follow-up").pk,
            "protocol": protocol().pk,
            "package_sessions": 5,
            "code_system": "internal",
            "code": "PKG",
            "description": "x",
            "unit_price": "1",
            "valid_from": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "A fee is for either an appointment type (a visit) or a protocol (a package)." in _text(response)
    assert not Fee.objects.filter(code="PKG").exists()


def test_a_write_off_above_the_balance_is_explained_once_and_nothing_is_written(admin_client_):
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=10000)
    response = admin_client_.post(
        reverse("billing:invoice_write_off", args=[invoice.pk]),
        {"version": invoice.version, "attempt_key": uuid.uuid4(), "amount": "500", "reason": "Hardship"},
    )
    assert response.status_code == 400
    assert _text(response).count("$500.00 is more than the balance due ($100.00).") == 1
    invoice.refresh_from_db()
    assert invoice.balance == 10000 and not invoice.write_offs.exists()


def test_one_patients_invoices_with_a_way_to_start_a_new_one(desk_client):
    desk = desk_setup()
    issued_invoice(desk, amount=1234)
    other = PatientFactory()
    services.invoice_create_draft(patient_id=other.pk, location_id=desk.location.pk, by=None, now=NOW)
    page = _text(desk_client.get(reverse("billing:invoices") + f"?patient={desk.patient.pk}"))
    assert "Invoices of Maria Lopez" in page and "$12.34" in page and "Draft invoice" not in page
    assert f"/billing/invoices/new/?patient={desk.patient.pk}" in page
    assert desk_client.get(reverse("billing:invoices") + "?patient=999999").status_code == 404


def test_the_payment_pages_read_a_fixed_number_of_queries(desk_client, django_assert_max_num_queries):
    desk = desk_setup()
    invoices = [issued_invoice(desk, amount=1000) for _ in range(2)]
    payment = pay(desk, invoices[0], 1000).payment
    desk_client.get(reverse("billing:payment", args=[payment.pk]))  # the clinic's settings row is made once
    urls = [
        reverse("billing:payment", args=[payment.pk]),
        reverse("billing:receipt", args=[payment.pk]),
        reverse("billing:payment_new") + f"?patient={desk.patient.pk}",
    ]
    counts = []
    for url in urls:
        with django_assert_max_num_queries(16) as few:
            desk_client.get(url)
        counts.append(len(few.captured_queries))
    for _ in range(5):
        issued_invoice(desk, amount=1000)
    with django_assert_max_num_queries(counts[2]):
        page = _text(desk_client.get(urls[2]))
    assert page.count("(due $10.00)") == 6


def test_the_desk_keeps_what_an_invoice_owes_back_as_credit(desk_client, admin_user):
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=5000)
    pay(desk, invoice, 5000)
    services.invoice_void(invoice_id=invoice.pk, version=None, reason="x", attempt_key=key(), by=admin_user, now=NOW)
    page = desk_client.get(reverse("billing:invoice", args=[invoice.pk]))
    assert "$50.00 is owed back to the patient" in _text(page)
    invoice.refresh_from_db()
    url = reverse("billing:invoice_keep_credit", args=[invoice.pk])
    form = {"version": invoice.version, "attempt_key": _key(page), "amount": "60"}
    response = desk_client.post(url, form)
    assert response.status_code == 400 and "owes the patient $50.00: no more can be kept as credit" in _text(response)
    response = desk_client.post(url, {**form, "amount": "50"}, follow=True)
    assert "Kept as the patient&#x27;s credit." in response.content.decode()
    assert services.credit_balance(desk.patient.pk) == 5000
    assert "is owed back" not in _text(response)
    assert "kept as the patient's credit $50.00" in html.unescape(_text(response))
    receipt = _text(desk_client.get(reverse("billing:receipt", args=[Payment.objects.get().pk])))
    assert "Refunded" not in receipt
