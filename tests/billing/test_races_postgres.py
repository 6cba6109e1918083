"""Billing's races on PostgreSQL, with real concurrent connections (tests/concurrency.race)."""

import threading

import pytest
from django.db import connection, transaction

from billing import services
from billing.models import Allocation, Invoice, Payment
from billing.services import AllocationRequest, StaleInvoice
from tests.billing.factories import NOW, desk_setup, issued_invoice, key
from tests.concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _drafts(desk, n: int) -> list[int]:
    ids = []
    for i in range(n):
        draft = services.invoice_create_draft(
            patient_id=desk.patient.pk, location_id=desk.location.pk, by=None, now=NOW
        )
        services.invoice_add_line(
            invoice_id=draft.pk, version=None, description=f"line {i}", unit_price=100, by=None, now=NOW
        )
        ids.append(draft.pk)
    return ids


def test_twenty_desks_issuing_at_once_get_numbers_1_to_20_without_gap_or_duplicate():
    desk = desk_setup()
    pending = _drafts(desk, 20)
    lock = threading.Lock()

    def issue_one():
        with lock:
            invoice_id = pending.pop()
        return services.invoice_issue(invoice_id=invoice_id, version=None, by=None, now=NOW).number

    numbers = race(20, issue_one)
    assert not [n for n in numbers if isinstance(n, Exception)]
    assert sorted(numbers) == list(range(1, 21))
    assert sorted(Invoice.objects.values_list("number", flat=True)) == list(range(1, 21))


def test_a_number_taken_by_a_transaction_that_rolls_back_is_given_to_the_next_invoice():
    desk = desk_setup()
    doomed, waiting = _drafts(desk, 2)
    taken = threading.Event()
    release = threading.Event()
    seen = {}

    def issue_then_fail():
        try:
            with transaction.atomic():
                seen["doomed"] = services.invoice_issue(invoice_id=doomed, version=None, by=None, now=NOW).number
                taken.set()
                release.wait(10)
                raise RuntimeError("the printer jammed")
        except RuntimeError:
            pass
        finally:
            connection.close()

    def issue_after():
        taken.wait(10)
        try:
            seen["waiting"] = services.invoice_issue(invoice_id=waiting, version=None, by=None, now=NOW).number
        finally:
            connection.close()

    first = threading.Thread(target=issue_then_fail)
    second = threading.Thread(target=issue_after)
    first.start()
    second.start()
    taken.wait(10)
    release.set()  # the second desk is queued on the number while the first rolls back
    first.join()
    second.join()
    assert seen == {"doomed": 1, "waiting": 1}
    assert Invoice.objects.get(pk=doomed).number is None
    assert services.invoice_issue(invoice_id=doomed, version=None, by=None, now=NOW).number == 2


def test_two_desks_taking_the_last_payment_at_once_record_one_the_other_is_told_to_reload():
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=15000)
    shown = invoice.version

    def take():
        return services.payment_take(
            patient_id=desk.patient.pk,
            location_id=desk.location.pk,
            method="cash",
            amount=15000,
            allocations=[AllocationRequest(invoice.pk, 15000, shown)],
            attempt_key=key(),
            by=None,
            now=NOW,
        )

    outcomes = race(2, take)
    stale = [o for o in outcomes if isinstance(o, StaleInvoice)]
    assert len(stale) == 1 and "changed by someone else" in str(stale[0])
    assert Payment.objects.count() == 1
    invoice.refresh_from_db()
    assert (invoice.balance, invoice.status) == (0, "paid")


def test_a_double_click_racing_itself_records_one_payment():
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=15000)
    attempt = key()

    def take():
        return services.payment_take(
            patient_id=desk.patient.pk,
            location_id=desk.location.pk,
            method="cash",
            amount=15000,
            allocations=[AllocationRequest(invoice.pk, 15000)],
            attempt_key=attempt,
            by=None,
            now=NOW,
        )

    outcomes = race(6, take)
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert {o.payment.pk for o in outcomes} == {Payment.objects.get().pk}
    assert sum(o.created for o in outcomes) == 1
    assert Allocation.objects.count() == 1


def test_two_desks_checking_out_the_same_visit_at_once_make_one_invoice():
    desk = desk_setup()
    outcomes = race(4, lambda: services.checkout_invoice(appointment_id=desk.appointment.pk, by=None, now=NOW))
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert {o.pk for o in outcomes} == {Invoice.objects.get().pk}
    assert Invoice.objects.get().number == 1


def test_two_admins_refunding_the_same_money_at_once_refund_it_once(admin_user):
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=15000)
    payment = services.payment_take(
        patient_id=desk.patient.pk,
        location_id=desk.location.pk,
        method="cash",
        amount=15000,
        allocations=[AllocationRequest(invoice.pk, 15000)],
        attempt_key=key(),
        by=None,
        now=NOW,
    ).payment
    services.invoice_void(invoice_id=invoice.pk, version=None, reason="x", attempt_key=key(), by=admin_user, now=NOW)

    def refund():
        return services.refund_issue(
            payment_id=payment.pk,
            amount=10000,
            reason="x",
            invoice_id=invoice.pk,
            attempt_key=key(),
            by=admin_user,
            now=NOW,
        )

    outcomes = race(2, refund)
    refused = [str(o) for o in outcomes if isinstance(o, Exception)]
    assert refused == ["$100.00 is more than remains unrefunded on this payment ($50.00)."]
    assert payment.refunds.count() == 1
