"""Payments, allocations, patient credit and refunds: each bad input refused with a clear message
and nothing half-saved; the database's own constraints hold when the services are bypassed."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from billing import services
from billing.gateway import GatewayError, register_refund_gateway
from billing.models import Allocation, BillingEvent, PatientCredit, Payment, Refund
from billing.services import AllocationRequest, BillingError, StaleInvoice
from tests.billing.factories import NOW, TODAY, desk_setup, issued_invoice, key, pay

pytestmark = pytest.mark.django_db


def _take(desk, amount, allocations, **kw):
    return services.payment_take(
        patient_id=desk.patient.pk,
        location_id=desk.location.pk,
        method=kw.pop("method", "cash"),
        amount=amount,
        allocations=allocations,
        attempt_key=kw.pop("attempt_key", None) or key(),
        by=kw.pop("by", None),
        now=kw.pop("now", NOW),
        **kw,
    )


def test_one_payment_allocated_to_two_invoices_pays_both(desk_user):
    desk = desk_setup()
    a, b = issued_invoice(desk, amount=15000), issued_invoice(desk, amount=5000)
    result = _take(
        desk,
        20000,
        [AllocationRequest(a.pk, 15000, a.version), AllocationRequest(b.pk, 5000, b.version)],
        method="card_terminal",
        reference="T-7781",
        by=desk_user,
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert result.created and result.payment.business_date == TODAY
    assert (a.status, a.balance, b.status, b.balance) == ("paid", 0, "paid", 0)
    assert list(a.events.values_list("action", flat=True))[-2:] == ["allocated", "paid"]
    assert result.payment.events.get(action="payment").detail == "Card (clinic terminal), ref T-7781"


def test_a_part_payment_leaves_the_rest_due():
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=15000)
    pay(desk, invoice, 4000)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.balance) == ("issued", 11000)


def test_a_double_click_records_one_payment_and_the_second_submit_gets_the_first():
    desk = desk_setup()
    invoice = issued_invoice(desk)
    attempt = key()
    first = _take(desk, 15000, [AllocationRequest(invoice.pk, 15000, invoice.version)], attempt_key=attempt)
    # The second submit carries the same form: the same key and the version the page showed.
    second = _take(desk, 15000, [AllocationRequest(invoice.pk, 15000, invoice.version)], attempt_key=attempt)
    assert first.created and not second.created and second.payment.pk == first.payment.pk
    assert Payment.objects.count() == 1 and Allocation.objects.count() == 1


def test_the_attempt_key_is_unique_in_the_database():
    desk = desk_setup()
    invoice = issued_invoice(desk)
    payment = pay(desk, invoice, 100).payment
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            patient=desk.patient,
            location=desk.location,
            method="cash",
            amount=100,
            attempt_key=payment.attempt_key,
            taken_at=NOW,
            business_date=TODAY,
        )


def test_two_desks_closing_the_same_invoice_one_is_told_to_reload():
    desk = desk_setup()
    invoice = issued_invoice(desk)
    shown = invoice.version  # both desks opened the page showing this version
    _take(desk, 15000, [AllocationRequest(invoice.pk, 15000, shown)])
    with pytest.raises(StaleInvoice, match="INV-000001 was changed by someone else while you were on this page"):
        _take(desk, 15000, [AllocationRequest(invoice.pk, 15000, shown)], method="card_terminal")
    invoice.refresh_from_db()
    assert Payment.objects.count() == 1 and invoice.balance == 0


@pytest.mark.parametrize("amount", [0, -500])
def test_a_zero_or_negative_payment_is_refused(amount):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    with pytest.raises(BillingError, match="Enter an amount above zero"):
        _take(desk, amount, [AllocationRequest(invoice.pk, 100)])
    with pytest.raises(BillingError, match="allocated to an invoice must be above zero"):
        _take(desk, 100, [AllocationRequest(invoice.pk, amount)], keep_change_as_credit=True)
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", [0, -1])
def test_the_database_refuses_zero_or_negative_money_rows(amount):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    payment = pay(desk, invoice, 100).payment
    rows = [
        lambda: Payment.objects.create(
            patient=desk.patient,
            location=desk.location,
            method="cash",
            amount=amount,
            attempt_key=key(),
            taken_at=NOW,
            business_date=TODAY,
        ),
        lambda: Allocation.objects.create(payment=payment, invoice=invoice, amount=amount, at=NOW),
        lambda: Refund.objects.create(
            payment=payment,
            location=desk.location,
            method="cash",
            amount=amount,
            reason="x",
            attempt_key=key(),
            refunded_at=NOW,
            business_date=TODAY,
        ),
    ]
    for create in rows:
        with pytest.raises(IntegrityError), transaction.atomic():
            create()


def test_an_allocation_above_the_balance_is_refused_and_nothing_is_saved():
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=15000)
    with pytest.raises(BillingError, match=r"\$150.01 is more than the balance of INV-000001 \(\$150.00\)"):
        _take(desk, 15001, [AllocationRequest(invoice.pk, 15001)], keep_change_as_credit=True)
    invoice.refresh_from_db()
    assert not Payment.objects.exists() and not Allocation.objects.exists() and invoice.balance == 15000
    assert not invoice.events.filter(action__in=["payment", "allocated"]).exists()


def test_allocations_adding_up_to_more_than_the_payment_are_refused():
    desk = desk_setup()
    a, b = issued_invoice(desk, amount=5000), issued_invoice(desk, amount=5000)
    with pytest.raises(BillingError, match=r"add up to more than the payment"):
        _take(desk, 6000, [AllocationRequest(a.pk, 5000), AllocationRequest(b.pk, 5000)])
    assert not Payment.objects.exists()


def test_paying_a_draft_a_void_or_another_patients_invoice_is_refused(admin_user):
    desk = desk_setup()
    draft = services.invoice_create_draft(patient_id=desk.patient.pk, location_id=desk.location.pk, by=None, now=NOW)
    with pytest.raises(BillingError, match="Issue the invoice before taking payment"):
        _take(desk, 100, [AllocationRequest(draft.pk, 100)])
    void = issued_invoice(desk)
    services.invoice_void(invoice_id=void.pk, version=None, reason="x", attempt_key=key(), by=admin_user, now=NOW)
    with pytest.raises(BillingError, match="is void"):
        _take(desk, 100, [AllocationRequest(void.pk, 100)])
    from tests.factories import PatientFactory

    stranger = PatientFactory()
    with pytest.raises(BillingError, match="not this patient's"):
        services.payment_take(
            patient_id=stranger.pk,
            location_id=desk.location.pk,
            method="cash",
            amount=100,
            allocations=[AllocationRequest(void.pk, 100)],
            attempt_key=key(),
            by=None,
            now=NOW,
        )
    assert not Payment.objects.exists()


def test_an_overpayment_is_refused_unless_the_desk_chooses_to_keep_it_as_credit():
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=15000)
    with pytest.raises(BillingError, match=r"The payment is \$50.00 more than the invoices' balance"):
        _take(desk, 20000, [AllocationRequest(invoice.pk, 15000)])
    assert not Payment.objects.exists() and not PatientCredit.objects.exists()
    _take(desk, 20000, [AllocationRequest(invoice.pk, 15000)], keep_change_as_credit=True)
    assert services.credit_balance(desk.patient.pk) == 5000


def test_patient_credit_pays_a_later_invoice_and_cannot_go_below_zero():
    desk = desk_setup()
    first = issued_invoice(desk, amount=15000)
    _take(desk, 20000, [AllocationRequest(first.pk, 15000)], keep_change_as_credit=True)
    later = issued_invoice(desk, amount=8000)
    with pytest.raises(BillingError, match=r"The patient has \$50.00 of credit, less than \$80.00"):
        _take(desk, 8000, [AllocationRequest(later.pk, 8000)], method="patient_credit")
    _take(desk, 5000, [AllocationRequest(later.pk, 5000)], method="patient_credit")
    later.refresh_from_db()
    assert services.credit_balance(desk.patient.pk) == 0 and later.balance == 3000


def test_the_desk_cannot_type_in_an_online_card_payment():
    desk = desk_setup()
    invoice = issued_invoice(desk)
    with pytest.raises(BillingError, match="recorded by the card gateway"):
        _take(desk, 100, [AllocationRequest(invoice.pk, 100)], method="card_online")


# Refunds ---------------------------------------------------------------------------------------


def _voided_and_paid(desk, admin_user, amount=15000):
    invoice = issued_invoice(desk, amount=amount)
    payment = pay(desk, invoice, amount).payment
    services.invoice_void(
        invoice_id=invoice.pk, version=None, reason="wrong", attempt_key=key(), by=admin_user, now=NOW
    )
    invoice.refresh_from_db()
    return invoice, payment


def test_a_refund_needs_the_clinic_admin_and_a_reason(desk_user, admin_user):
    desk = desk_setup()
    invoice, payment = _voided_and_paid(desk, admin_user)
    with pytest.raises(PermissionDenied):
        services.refund_issue(
            payment_id=payment.pk,
            amount=100,
            reason="x",
            invoice_id=invoice.pk,
            attempt_key=key(),
            by=desk_user,
            now=NOW,
        )
    with pytest.raises(BillingError, match="Say why"):
        services.refund_issue(
            payment_id=payment.pk,
            amount=100,
            reason=" ",
            invoice_id=invoice.pk,
            attempt_key=key(),
            by=admin_user,
            now=NOW,
        )
    assert not Refund.objects.exists()


def test_a_refund_of_a_voided_invoice_goes_back_to_the_payments_method(admin_user):
    desk = desk_setup()
    invoice, payment = _voided_and_paid(desk, admin_user)
    assert invoice.balance == -15000
    refund = services.refund_issue(
        payment_id=payment.pk,
        amount=15000,
        reason="Billed twice",
        invoice_id=invoice.pk,
        attempt_key=key(),
        by=admin_user,
        now=NOW,
    )
    invoice.refresh_from_db()
    assert (refund.method, refund.amount, refund.business_date) == ("cash", 15000, TODAY)
    assert (invoice.status, invoice.balance) == ("void", 0)
    assert invoice.events.filter(action=BillingEvent.Action.REFUND, detail="Cash: Billed twice").exists()


def test_a_refund_above_what_remains_unrefunded_is_refused(admin_user):
    desk = desk_setup()
    invoice, payment = _voided_and_paid(desk, admin_user)
    services.refund_issue(
        payment_id=payment.pk,
        amount=10000,
        reason="part",
        invoice_id=invoice.pk,
        attempt_key=key(),
        by=admin_user,
        now=NOW,
    )
    with pytest.raises(BillingError, match=r"\$50.01 is more than remains unrefunded on this payment \(\$50.00\)"):
        services.refund_issue(
            payment_id=payment.pk,
            amount=5001,
            reason="rest",
            invoice_id=invoice.pk,
            attempt_key=key(),
            by=admin_user,
            now=NOW,
        )
    assert Refund.objects.count() == 1


def test_money_that_still_pays_a_live_invoice_is_not_refunded_until_credited(admin_user):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    payment = pay(desk, invoice, 15000).payment
    with pytest.raises(BillingError, match="credit or void the invoice first"):
        services.refund_issue(payment_id=payment.pk, amount=100, reason="x", attempt_key=key(), by=admin_user, now=NOW)
    with pytest.raises(BillingError, match=r"Only \$0.00 paid by this payment is owed back on INV-000001"):
        services.refund_issue(
            payment_id=payment.pk,
            amount=100,
            reason="x",
            invoice_id=invoice.pk,
            attempt_key=key(),
            by=admin_user,
            now=NOW,
        )
    invoice.refresh_from_db()
    assert not Refund.objects.exists() and invoice.status == "paid"


def test_credit_kept_from_an_overpayment_can_be_refunded(admin_user):
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=15000)
    payment = _take(desk, 20000, [AllocationRequest(invoice.pk, 15000)], keep_change_as_credit=True).payment
    assert services.refund_sources(payment)[0].available == 5000
    services.refund_issue(
        payment_id=payment.pk, amount=5000, reason="Change", attempt_key=key(), by=admin_user, now=NOW
    )
    assert services.credit_balance(desk.patient.pk) == 0
    assert services.refund_sources(payment) == []


def test_a_double_clicked_refund_is_one_refund(admin_user):
    desk = desk_setup()
    invoice, payment = _voided_and_paid(desk, admin_user)
    attempt = key()
    for _ in range(2):
        services.refund_issue(
            payment_id=payment.pk,
            amount=15000,
            reason="x",
            invoice_id=invoice.pk,
            attempt_key=attempt,
            by=admin_user,
            now=NOW,
        )
    assert Refund.objects.count() == 1


def test_an_online_card_refund_needs_the_gateway_and_records_nothing_when_it_fails(admin_user):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    payment = pay(desk, invoice, 15000, method="card_online", reference="pi_123").payment
    services.invoice_void(invoice_id=invoice.pk, version=None, reason="x", attempt_key=key(), by=admin_user, now=NOW)
    args = {
        "payment_id": payment.pk,
        "amount": 15000,
        "reason": "x",
        "invoice_id": invoice.pk,
        "by": admin_user,
        "now": NOW,
    }
    with pytest.raises(BillingError, match="go through the card gateway, which is not set up"):
        services.refund_issue(attempt_key=key(), **args)

    class Declining:
        def refund(self, **kw):
            raise GatewayError("card expired")

    class Confirming:
        calls: list = []

        def refund(self, **kw):
            self.calls.append(kw)
            return "re_1"

    try:
        register_refund_gateway(Declining())
        with pytest.raises(BillingError, match="refused the refund: card expired"):
            services.refund_issue(attempt_key=key(), **args)
        assert not Refund.objects.exists()
        confirming = Confirming()
        register_refund_gateway(confirming)
        attempt = key()
        refund = services.refund_issue(attempt_key=attempt, **args)
    finally:
        register_refund_gateway(None)
    assert refund.reference == "re_1"
    assert confirming.calls == [
        {"payment_reference": "pi_123", "amount": 15000, "currency": "USD", "idempotency_key": attempt}
    ]


# Money owed back kept as credit ------------------------------------------------------------------


def test_a_paid_deposit_credited_back_is_kept_as_credit_and_pays_the_visit(desk_user, admin_user):
    """A deposit applied to the visit: the deposit invoice is credited, the desk keeps what it owes
    back as the patient's credit (no money moves), and the credit pays the visit's invoice."""
    desk = desk_setup()
    deposit = issued_invoice(desk, amount=5000)
    pay(desk, deposit, 5000, method="cash")
    services.credit_note_issue(
        invoice_id=deposit.pk,
        version=None,
        lines=[services.CreditLine(description="Deposit applied to the visit", amount=5000)],
        reason="Applied to the visit",
        attempt_key=key(),
        by=admin_user,
        now=NOW,
    )
    attempt = key()
    rows = services.invoice_keep_as_credit(
        invoice_id=deposit.pk, version=None, amount=5000, attempt_key=attempt, by=desk_user, now=NOW
    )
    again = services.invoice_keep_as_credit(
        invoice_id=deposit.pk, version=None, amount=5000, attempt_key=attempt, by=desk_user, now=NOW
    )
    deposit.refresh_from_db()
    assert [r.pk for r in again] == [r.pk for r in rows] and len(rows) == 1
    assert (deposit.balance, services.credit_balance(desk.patient.pk)) == (0, 5000)
    visit = issued_invoice(desk, amount=15000)
    _take(desk, 5000, [AllocationRequest(visit.pk, 5000)], method="patient_credit")
    _take(desk, 10000, [AllocationRequest(visit.pk, 10000)], method="cash")
    visit.refresh_from_db()
    assert (visit.status, services.credit_balance(desk.patient.pk)) == ("paid", 0)
    # The day's cash is what came in: the deposit and the rest; keeping as credit moved nothing.
    totals = {t.method: t.expected for t in services.day_totals(location_id=desk.location.pk, business_date=TODAY)}
    assert totals["cash"] == 15000


def test_no_more_than_an_invoice_owes_back_can_be_kept_as_credit(admin_user):
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=5000)
    pay(desk, invoice, 5000)
    with pytest.raises(BillingError, match=r"owes the patient \$0.00: no more can be kept as credit"):
        services.invoice_keep_as_credit(
            invoice_id=invoice.pk, version=None, amount=1, attempt_key=key(), by=None, now=NOW
        )
    services.invoice_void(invoice_id=invoice.pk, version=None, reason="x", attempt_key=key(), by=admin_user, now=NOW)
    with pytest.raises(BillingError, match=r"owes the patient \$50.00"):
        services.invoice_keep_as_credit(
            invoice_id=invoice.pk, version=None, amount=5001, attempt_key=key(), by=None, now=NOW
        )
    assert services.credit_balance(desk.patient.pk) == 0 and not Refund.objects.exists()


def test_credit_kept_from_an_invoice_can_later_be_refunded_in_cash_once(admin_user):
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=5000)
    payment = pay(desk, invoice, 5000).payment
    services.invoice_void(invoice_id=invoice.pk, version=None, reason="x", attempt_key=key(), by=admin_user, now=NOW)
    services.invoice_keep_as_credit(
        invoice_id=invoice.pk, version=None, amount=5000, attempt_key=key(), by=None, now=NOW
    )
    assert [(s.invoice, s.available) for s in services.refund_sources(payment)] == [(None, 5000)]
    services.refund_issue(
        payment_id=payment.pk, amount=5000, reason="Moving away", attempt_key=key(), by=admin_user, now=NOW
    )
    assert services.credit_balance(desk.patient.pk) == 0 and services.refund_sources(payment) == []
    with pytest.raises(BillingError):
        services.refund_issue(
            payment_id=payment.pk, amount=1, reason="again", attempt_key=key(), by=admin_user, now=NOW
        )
    totals = {
        t.method: (t.payments, t.refunds)
        for t in services.day_totals(location_id=desk.location.pk, business_date=TODAY)
    }
    assert totals["cash"] == (5000, 5000)
