"""Invoices: drafts from the fee schedule, gapless numbers at issue, never edited once issued,
voided only by the clinic admin through a credit note with its own number and a reason."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from billing import services
from billing.models import BillingEvent, CreditNote, Fee, Invoice, InvoiceLine
from billing.services import BillingError, StaleInvoice
from clinic.models import AuditEntry
from tests.billing.factories import NOW, desk_setup, issued_invoice, key, pay

pytestmark = pytest.mark.django_db


def test_a_visit_line_copies_the_fee_so_a_later_price_change_rewrites_nothing(desk_user):
    desk = desk_setup(price=15000)
    invoice = services.invoice_create_draft(
        patient_id=desk.patient.pk,
        location_id=desk.location.pk,
        appointment_id=desk.appointment.pk,
        by=desk_user,
        now=NOW,
    )
    line = services.invoice_add_appointment_line(
        invoice_id=invoice.pk, version=invoice.version, appointment_id=desk.appointment.pk, by=desk_user, now=NOW
    )
    Fee.objects.filter(pk=desk.fee.pk).update(unit_price=99900, description="Renamed")
    line.refresh_from_db()
    invoice.refresh_from_db()
    assert (line.code, line.description, line.unit_price, line.line_total) == (
        "M0076",
        "Prolotherapy injection session",
        15000,
        15000,
    )
    assert invoice.total == 15000 and invoice.status == Invoice.Status.DRAFT and invoice.number is None


def test_the_fee_valid_on_the_visits_date_is_the_one_used(desk_user):
    desk = desk_setup(price=15000)
    Fee.objects.filter(pk=desk.fee.pk).update(valid_to=dt.date(2026, 4, 30))
    Fee.objects.create(
        appointment_type=desk.appointment.appointment_type,
        code="M0076",
        description="Prolotherapy injection session (2026-05 price)",
        unit_price=16500,
        valid_from=dt.date(2026, 5, 1),
    )
    invoice = services.checkout_invoice(appointment_id=desk.appointment.pk, by=desk_user, now=NOW)
    assert invoice.total == 16500
    assert invoice.lines.get().description == "Prolotherapy injection session (2026-05 price)"


def test_a_visit_without_a_fee_is_refused_with_what_to_do(desk_user):
    desk = desk_setup()
    desk.fee.delete()
    with pytest.raises(BillingError, match="No fee is set for .* on 4 May 2026: the clinic admin adds one"):
        services.checkout_invoice(appointment_id=desk.appointment.pk, by=desk_user, now=NOW)
    assert not Invoice.objects.exists()


def test_tax_exclusive_and_inclusive_lines_add_up_exactly(desk_user):
    desk = desk_setup()
    invoice = services.invoice_create_draft(
        patient_id=desk.patient.pk, location_id=desk.location.pk, by=desk_user, now=NOW
    )
    services.invoice_add_line(
        invoice_id=invoice.pk,
        version=None,
        description="Brace",
        unit_price=1000,
        quantity=3,
        tax_rate_bp=825,
        by=desk_user,
        now=NOW,
    )
    services.invoice_add_line(
        invoice_id=invoice.pk,
        version=None,
        description="Gel",
        unit_price=1000,
        tax_rate_bp=2000,
        tax_inclusive=True,
        by=desk_user,
        now=NOW,
    )
    invoice.refresh_from_db()
    assert (invoice.total, invoice.tax_total, invoice.balance) == (3248 + 1000, 248 + 167, 4248)


def test_issuing_gives_the_next_number_and_the_history_says_who(desk_user):
    desk = desk_setup()
    first = issued_invoice(desk, by=desk_user)
    second = issued_invoice(desk, by=desk_user)
    assert (first.number, second.number) == (1, 2)
    assert first.display_number == "INV-000001"
    assert first.status == Invoice.Status.ISSUED and first.issue_date == dt.date(2026, 5, 4)
    actions = list(first.events.values_list("action", "by__username"))
    assert actions == [("created", "desk"), ("line_added", "desk"), ("issued", "desk")]
    assert (
        AuditEntry.objects.filter(object_type="billing.invoice", object_id=str(first.pk), user=desk_user).count() == 3
    )


def test_a_draft_without_lines_cannot_be_issued(desk_user):
    desk = desk_setup()
    invoice = services.invoice_create_draft(
        patient_id=desk.patient.pk, location_id=desk.location.pk, by=desk_user, now=NOW
    )
    with pytest.raises(BillingError, match="Add at least one line"):
        services.invoice_issue(invoice_id=invoice.pk, version=None, by=desk_user, now=NOW)
    invoice.refresh_from_db()
    assert invoice.number is None and invoice.status == "draft"


def test_an_issued_invoice_is_never_edited_or_deleted(desk_user):
    desk = desk_setup()
    invoice = issued_invoice(desk, by=desk_user)
    line = invoice.lines.get()
    refusal = "INV-000001 is issued: an issued invoice is never changed or deleted"
    with pytest.raises(BillingError, match=refusal):
        services.invoice_add_line(
            invoice_id=invoice.pk, version=None, description="x", unit_price=1, by=desk_user, now=NOW
        )
    with pytest.raises(BillingError, match=refusal):
        services.invoice_add_fee_line(invoice_id=invoice.pk, version=None, fee_id=desk.fee.pk, by=desk_user, now=NOW)
    with pytest.raises(BillingError, match=refusal):
        services.invoice_remove_line(invoice_id=invoice.pk, version=None, line_id=line.pk, by=desk_user, now=NOW)
    with pytest.raises(BillingError, match=refusal):
        services.invoice_delete_draft(invoice_id=invoice.pk, version=None, by=desk_user, now=NOW)
    with pytest.raises(BillingError, match="already issued"):
        services.invoice_issue(invoice_id=invoice.pk, version=None, by=desk_user, now=NOW)
    invoice.refresh_from_db()
    assert (invoice.number, invoice.total, invoice.lines.count()) == (1, 15000, 1)


def test_a_draft_may_be_discarded_and_its_number_was_never_taken(desk_user):
    desk = desk_setup()
    draft = services.invoice_create_draft(
        patient_id=desk.patient.pk, location_id=desk.location.pk, by=desk_user, now=NOW
    )
    services.invoice_add_line(invoice_id=draft.pk, version=None, description="x", unit_price=100, by=desk_user, now=NOW)
    services.invoice_delete_draft(invoice_id=draft.pk, version=None, by=desk_user, now=NOW)
    assert not Invoice.objects.filter(pk=draft.pk).exists()
    assert issued_invoice(desk).number == 1


def test_a_page_showing_an_old_version_is_told_someone_else_changed_it(desk_user):
    desk = desk_setup()
    draft = services.invoice_create_draft(
        patient_id=desk.patient.pk, location_id=desk.location.pk, by=desk_user, now=NOW
    )
    shown = draft.version
    services.invoice_add_line(
        invoice_id=draft.pk, version=shown, description="a", unit_price=100, by=desk_user, now=NOW
    )
    with pytest.raises(StaleInvoice, match="changed by someone else .* Reload it"):
        services.invoice_issue(invoice_id=draft.pk, version=shown, by=desk_user, now=NOW)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_void_is_the_clinic_admins_and_makes_a_numbered_credit_note_with_the_reason(desk_user, admin_user):
    desk = desk_setup()
    invoice = issued_invoice(desk)
    with pytest.raises(PermissionDenied):
        services.invoice_void(
            invoice_id=invoice.pk, version=None, reason="typo", attempt_key=key(), by=desk_user, now=NOW
        )
    with pytest.raises(BillingError, match="Say why"):
        services.invoice_void(
            invoice_id=invoice.pk, version=None, reason="  ", attempt_key=key(), by=admin_user, now=NOW
        )
    attempt = key()
    voided = services.invoice_void(
        invoice_id=invoice.pk,
        version=None,
        reason="Billed the wrong patient",
        attempt_key=attempt,
        by=admin_user,
        now=NOW,
    )
    again = services.invoice_void(
        invoice_id=invoice.pk,
        version=None,
        reason="Billed the wrong patient",
        attempt_key=attempt,
        by=admin_user,
        now=NOW,
    )
    note = CreditNote.objects.get()
    assert again.pk == voided.pk and CreditNote.objects.count() == 1
    assert (voided.status, voided.balance, voided.number) == ("void", 0, 1)
    assert (note.display_number, note.total, note.reason, note.voids) == (
        "CN-000001",
        15000,
        "Billed the wrong patient",
        True,
    )
    assert list(note.lines.values_list("description", "amount")) == [("Consultation", 15000)]
    assert invoice.events.filter(action=BillingEvent.Action.VOID, detail__contains="CN-000001").exists()
    # The invoice number is never reused: the next invoice gets 2.
    assert issued_invoice(desk).number == 2


def test_a_partial_credit_note_shows_its_arithmetic_and_cannot_exceed_what_is_left(admin_user):
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=50000)
    pay(desk, invoice, 50000)
    lines = [services.CreditLine(description="Paid $500.00 − 3 sessions given × $150.00 = $50.00", amount=5000)]
    note = services.credit_note_issue(
        invoice_id=invoice.pk,
        version=None,
        lines=lines,
        reason="Series stopped",
        attempt_key=key(),
        by=admin_user,
        now=NOW,
    )
    invoice.refresh_from_db()
    assert (note.number, note.total, invoice.balance, invoice.status) == (1, 5000, -5000, "paid")
    with pytest.raises(BillingError, match=r"At most \$450.00 of INV-000001 can still be credited"):
        services.credit_note_issue(
            invoice_id=invoice.pk,
            version=None,
            lines=[services.CreditLine(description="too much", amount=45001)],
            reason="x",
            attempt_key=key(),
            by=admin_user,
            now=NOW,
        )
    assert CreditNote.objects.count() == 1


def test_a_write_off_needs_the_admin_a_reason_and_no_more_than_the_balance(desk_user, admin_user):
    desk = desk_setup()
    invoice = issued_invoice(desk, amount=10000)
    with pytest.raises(PermissionDenied):
        services.invoice_write_off(
            invoice_id=invoice.pk, version=None, amount=100, reason="x", attempt_key=key(), by=desk_user, now=NOW
        )
    with pytest.raises(BillingError, match=r"\$100.01 is more than the balance due \(\$100.00\)"):
        services.invoice_write_off(
            invoice_id=invoice.pk, version=None, amount=10001, reason="x", attempt_key=key(), by=admin_user, now=NOW
        )
    services.invoice_write_off(
        invoice_id=invoice.pk, version=None, amount=10000, reason="Hardship", attempt_key=key(), by=admin_user, now=NOW
    )
    invoice.refresh_from_db()
    assert (invoice.balance, invoice.status) == (0, "paid")
    assert invoice.events.filter(action="write_off", detail="Hardship", by=admin_user).exists()


def test_the_database_refuses_a_line_with_no_quantity_or_a_negative_price():
    desk = desk_setup()
    invoice = issued_invoice(desk)
    base = {"invoice": invoice, "description": "x", "line_total": 0, "line_tax": 0}
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceLine.objects.create(**base, unit_price=100, quantity=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceLine.objects.create(**base, unit_price=-1, quantity=1)


def test_the_database_refuses_a_fee_for_both_a_type_and_a_package_or_neither():
    desk = desk_setup()
    from tests.factories import protocol

    both = {"appointment_type": desk.appointment.appointment_type, "protocol": protocol(), "package_sessions": 5}
    for kwargs in (both, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Fee.objects.create(code="X", description="x", unit_price=1, valid_from=dt.date(2026, 1, 1), **kwargs)


def test_one_live_invoice_per_visit_even_if_check_out_is_clicked_twice(desk_user):
    desk = desk_setup()
    first = services.checkout_invoice(appointment_id=desk.appointment.pk, by=desk_user, now=NOW)
    second = services.checkout_invoice(appointment_id=desk.appointment.pk, by=desk_user, now=NOW)
    assert first.pk == second.pk and Invoice.objects.count() == 1 and first.number == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(
            patient=desk.patient, location=desk.location, appointment=desk.appointment, kind="regular", created_at=NOW
        )
