"""The day's close per location: the ledger by method against the counted amounts, then locked;
later postings go to the next open business date, and nothing posts into a closed one."""

import datetime as dt

import pytest

from billing import services
from billing.models import DayClose
from billing.services import AllocationRequest, BillingError
from clinic.localtime import to_local
from tests.billing.factories import NOW, TODAY, desk_setup, issued_invoice, key, pay
from tests.factories import LocationFactory
from tests.treatments.factories_desk import local

pytestmark = pytest.mark.django_db


def _day(desk, admin_user):
    """Cash $150 and card $80 taken, then $30 of the card refunded (a voided line)."""
    a = issued_invoice(desk, amount=15000)
    pay(desk, a, 15000, method="cash")
    b = issued_invoice(desk, amount=8000)
    card = pay(desk, b, 8000, method="card_terminal", reference="T-1").payment
    services.credit_note_issue(
        invoice_id=b.pk,
        version=None,
        lines=[services.CreditLine(description="Brace not given", amount=3000)],
        reason="Not given",
        attempt_key=key(),
        by=admin_user,
        now=NOW,
    )
    services.refund_issue(
        payment_id=card.pk, amount=3000, reason="Not given", invoice_id=b.pk, attempt_key=key(), by=admin_user, now=NOW
    )


def test_the_day_shows_payments_less_refunds_by_method(admin_user):
    desk = desk_setup()
    _day(desk, admin_user)
    totals = {
        t.method: (t.payments, t.refunds, t.expected)
        for t in services.day_totals(location_id=desk.location.pk, business_date=TODAY)
    }
    assert totals["cash"] == (15000, 0, 15000)
    assert totals["card_terminal"] == (8000, 3000, 5000)
    assert totals["cheque"] == (0, 0, 0)
    assert "patient_credit" not in totals


def test_a_balanced_day_closes_and_stores_what_was_counted(desk_user, admin_user):
    desk = desk_setup()
    _day(desk, admin_user)
    close = services.day_close(
        location_id=desk.location.pk,
        business_date=TODAY,
        counted={"cash": 15000, "card_terminal": 5000},
        by=desk_user,
        now=local(2026, 5, 4, 18),
    )
    lines = {line.method: (line.expected, line.counted, line.variance) for line in close.lines.all()}
    assert lines["cash"] == (15000, 15000, 0) and lines["card_terminal"] == (5000, 5000, 0)
    assert close.closed_by == desk_user


def test_a_difference_needs_a_note_and_is_kept(desk_user, admin_user):
    desk = desk_setup()
    _day(desk, admin_user)
    evening = local(2026, 5, 4, 18)
    with pytest.raises(BillingError, match="differ from the ledger: say why in the note"):
        services.day_close(
            location_id=desk.location.pk,
            business_date=TODAY,
            counted={"cash": 14000, "card_terminal": 5000},
            by=desk_user,
            now=evening,
        )
    assert not DayClose.objects.exists()
    close = services.day_close(
        location_id=desk.location.pk,
        business_date=TODAY,
        counted={"cash": 14000, "card_terminal": 5000},
        note="$10 short: change given twice",
        by=desk_user,
        now=evening,
    )
    assert close.lines.get(method="cash").variance == -1000


def test_a_day_is_closed_once_and_never_before_it_begins(desk_user):
    desk = desk_setup()
    close = services.day_close(location_id=desk.location.pk, business_date=TODAY, counted={}, by=desk_user, now=NOW)
    with pytest.raises(BillingError, match="already closed") as refused:
        services.day_close(location_id=desk.location.pk, business_date=TODAY, counted={}, by=desk_user, now=NOW)
    # The day and the time it was closed as the desk reads them: the clinic's clock, not UTC's.
    closed = to_local(close.closed_at)
    assert f"{TODAY.day} {TODAY:%b} {TODAY.year} is already closed" in str(refused.value)
    assert f"(closed {closed.day} {closed:%b} {closed.year}, {closed:%H:%M})" in str(refused.value)
    with pytest.raises(BillingError, match="has not begun yet"):
        services.day_close(
            location_id=desk.location.pk, business_date=TODAY + dt.timedelta(days=1), counted={}, by=desk_user, now=NOW
        )


def test_after_the_close_payments_post_to_the_next_open_day_and_the_closed_day_is_untouched(desk_user, admin_user):
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=15000)
    services.day_close(location_id=desk.location.pk, business_date=TODAY, counted={}, by=desk_user, now=NOW)
    late = local(2026, 5, 4, 19)  # still the 4th on the clinic's clock
    payment = pay(desk, invoice, 15000, now=late).payment
    assert payment.business_date == TODAY + dt.timedelta(days=1)
    assert services.business_date_for(location_id=desk.location.pk, now=late) == dt.date(2026, 5, 5)
    # Another location's day is its own.
    assert services.business_date_for(location_id=LocationFactory(name="Elm").pk, now=late) == TODAY
    assert sum(t.expected for t in services.day_totals(location_id=desk.location.pk, business_date=TODAY)) == 0


def test_posting_into_a_closed_day_by_naming_it_is_refused(desk_user, admin_user):
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=15000)
    services.day_close(location_id=desk.location.pk, business_date=TODAY, counted={}, by=desk_user, now=NOW)
    with pytest.raises(BillingError, match="The day 4 May 2026 is closed at this location"):
        services.payment_take(
            patient_id=desk.patient.pk,
            location_id=desk.location.pk,
            method="cash",
            amount=100,
            allocations=[AllocationRequest(invoice.pk, 100)],
            attempt_key=key(),
            business_date=TODAY,
            by=desk_user,
            now=NOW,
        )
    invoice.refresh_from_db()
    assert invoice.balance == 15000


def test_an_invoice_issued_after_the_close_is_dated_the_next_open_day(desk_user):
    desk = desk_setup()
    services.day_close(location_id=desk.location.pk, business_date=TODAY, counted={}, by=desk_user, now=NOW)
    assert issued_invoice(desk).issue_date == dt.date(2026, 5, 5)


def test_a_day_with_more_refunded_than_taken_closes_with_a_negative_count(desk_user, admin_user):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    card = pay(desk, invoice, 15000, method="card_terminal", reference="T-1").payment
    services.day_close(
        location_id=desk.location.pk, business_date=TODAY, counted={"card_terminal": 15000}, by=desk_user, now=NOW
    )
    services.invoice_void(invoice_id=invoice.pk, version=None, reason="x", attempt_key=key(), by=admin_user, now=NOW)
    services.refund_issue(
        payment_id=card.pk, amount=15000, reason="x", invoice_id=invoice.pk, attempt_key=key(), by=admin_user, now=NOW
    )
    tomorrow = TODAY + dt.timedelta(days=1)
    close = services.day_close(
        location_id=desk.location.pk,
        business_date=tomorrow,
        counted={"card_terminal": -15000},
        by=desk_user,
        now=local(2026, 5, 5, 18),
    )
    line = close.lines.get(method="card_terminal")
    assert (line.expected, line.counted, line.variance) == (-15000, -15000, 0)
