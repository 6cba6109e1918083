"""Series packages: selling raises one invoice; each attended session redeems one (through
treatments' own check-in, heard on commit); the same appointment is never redeemed twice; a
redemption is given back with a reason; closing early credits by the clinic's stated rule with the
arithmetic written on the credit note, and the refund brings the invoice to zero."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from billing import services
from billing.models import (
    BillingEvent,
    BillingPolicy,
    CreditNote,
    DepositPolicy,
    Fee,
    Invoice,
    Package,
    PackageRedemption,
)
from billing.models.packages import RefundRule
from billing.services import BillingError
from billing.services.package_ends import package_close
from billing.services.packages import package_sell, redemption_make, redemption_reverse
from tests.billing.factories_series import PACKAGE, SOLD, STARTS, VISIT, fees, knee_series, pay_all, sell
from tests.factories import protocol
from tests.treatments.factories_desk import local
from treatments.models import Appointment
from treatments.scheduling.services.attendance import appointment_check_in, appointment_mark_no_show

pytestmark = pytest.mark.django_db


def attend(setup, step: int, by, capture):
    """The desk checks the patient in on the session's day; the redemption follows on commit."""
    session = setup.sessions[step - 1]
    with capture(execute=True):
        appointment_check_in(appointment=session, by=by, now=session.start)
    return session


def test_selling_raises_one_issued_invoice_and_states_the_single_visit_price(desk_user):
    setup = knee_series()
    key = uuid.uuid4()
    package = package_sell(series_id=setup.series.pk, attempt_key=key, by=desk_user, now=SOLD)
    again = package_sell(series_id=setup.series.pk, attempt_key=key, by=desk_user, now=SOLD)  # a double click
    assert again.pk == package.pk
    invoice = package.invoice
    assert (invoice.kind, invoice.status, invoice.total, invoice.series_id) == (
        "package",
        "issued",
        PACKAGE,
        setup.series.pk,
    )
    assert invoice.number is not None
    assert (package.sessions, package.price, package.single_visit_price) == (5, PACKAGE, VISIT)
    assert Invoice.objects.filter(series=setup.series).count() == 1
    sold = BillingEvent.objects.get(invoice=invoice, action=BillingEvent.Action.PACKAGE_SOLD)
    assert sold.by == desk_user and "$150.00" in sold.detail
    assert package.expires_on is not None  # the policy's 365 days


def test_a_second_package_for_the_same_series_is_refused(desk_user):
    setup = knee_series()
    sell(setup, by=desk_user)
    with pytest.raises(BillingError, match="already has an active package"):
        sell(setup, by=desk_user)
    assert Package.objects.count() == 1 and Invoice.objects.count() == 1


def test_without_a_package_price_nothing_is_sold_or_invoiced(desk_user):
    setup = knee_series(priced=False)
    with pytest.raises(BillingError, match="no package price"):
        sell(setup, by=desk_user)
    assert not Invoice.objects.exists() and not Package.objects.exists()


def test_each_attended_session_redeems_one_and_never_twice(desk_user, django_capture_on_commit_callbacks):
    setup = knee_series()
    package = sell(setup, by=desk_user)
    first = attend(setup, 1, desk_user, django_capture_on_commit_callbacks)
    redemption = PackageRedemption.objects.get(appointment=first)
    assert (redemption.package_id, redemption.kind, redemption.by) == (package.pk, "attended", desk_user)
    # The record signed later says "attended" again: still one redemption.
    with django_capture_on_commit_callbacks(execute=True):
        from treatments import hooks

        hooks.send_on_commit(
            hooks.appointment_outcome, sender=Appointment, appointment_id=first.pk, status="attended", by=None, now=SOLD
        )
    assert PackageRedemption.objects.filter(appointment=first).count() == 1
    with pytest.raises(BillingError, match="already taken from the package"):
        redemption_make(appointment_id=first.pk, kind="attended", by=desk_user, now=SOLD)
    # The database refuses it too, whoever bypasses the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        PackageRedemption.objects.create(package=package, appointment=first, kind="attended", at=SOLD)
    assert BillingEvent.objects.filter(invoice=package.invoice, action="redeemed").count() == 1


def test_a_session_given_back_can_be_redeemed_again(desk_user, django_capture_on_commit_callbacks):
    setup = knee_series()
    sell(setup, by=desk_user)
    first = attend(setup, 1, desk_user, django_capture_on_commit_callbacks)
    redemption = PackageRedemption.objects.get(appointment=first)
    with pytest.raises(BillingError, match="reason"):
        redemption_reverse(redemption_id=redemption.pk, reason="  ", by=desk_user, now=first.start)
    redemption_reverse(
        redemption_id=redemption.pk, reason="Checked in the wrong patient", by=desk_user, now=first.start
    )
    redemption.refresh_from_db()
    assert redemption.reversed_at == first.start and redemption.reversed_reason == "Checked in the wrong patient"
    with pytest.raises(BillingError, match="already given back"):
        redemption_reverse(redemption_id=redemption.pk, reason="again", by=desk_user, now=first.start)
    again = redemption_make(appointment_id=first.pk, kind="attended", by=desk_user, now=first.start)
    assert again.pk != redemption.pk
    assert PackageRedemption.objects.filter(appointment=first, reversed_at__isnull=True).count() == 1


def test_the_package_counts_its_live_redemptions_as_they_come_and_go(desk_user, django_capture_on_commit_callbacks):
    """Package.redeemed (what the calendar's cards read for "2 of 5 used") is the live count after
    every redemption and every session given back; the database refuses a count above the sessions."""
    setup = knee_series()
    package = sell(setup, by=desk_user)

    def counted() -> tuple[int, int]:
        package.refresh_from_db()
        return package.redeemed, package.redemptions.filter(reversed_at__isnull=True).count()

    assert counted() == (0, 0)
    first = attend(setup, 1, desk_user, django_capture_on_commit_callbacks)
    attend(setup, 2, desk_user, django_capture_on_commit_callbacks)
    assert counted() == (2, 2)
    given = PackageRedemption.objects.get(appointment=first)
    redemption_reverse(redemption_id=given.pk, reason="Wrong patient", by=desk_user, now=first.start)
    assert counted() == (1, 1)
    redemption_make(appointment_id=first.pk, kind="forfeited", by=desk_user, now=first.start)
    assert counted() == (2, 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Package.objects.filter(pk=package.pk).update(redeemed=package.sessions + 1)


def test_a_package_cannot_give_more_sessions_than_it_holds(desk_user, django_capture_on_commit_callbacks):
    setup = knee_series()
    Fee.objects.filter(protocol=protocol()).update(package_sessions=2)
    package = sell(setup, by=desk_user)
    assert package.sessions == 2
    attend(setup, 1, desk_user, django_capture_on_commit_callbacks)
    attend(setup, 2, desk_user, django_capture_on_commit_callbacks)
    package.refresh_from_db()
    assert package.status == Package.Status.USED and package.redeemed == 2
    # Session 3 has no package session left: nothing redeemed, the check-in itself stands.
    third = attend(setup, 3, desk_user, django_capture_on_commit_callbacks)
    third.refresh_from_db()
    assert third.status == "checked_in" and not PackageRedemption.objects.filter(appointment=third).exists()


@pytest.mark.parametrize(
    ("rule", "used", "refund"),
    [
        # 3 sessions given × $150.00 single visit = $450.00; $600.00 paid − $450.00 = $150.00
        (RefundRule.SINGLE_VISIT, 45000, 15000),
        # 3 × $600.00 ÷ 5 = $360.00; $600.00 − $360.00 = $240.00
        (RefundRule.PRO_RATA, 36000, 24000),
    ],
)
def test_closing_early_credits_by_the_clinics_rule_and_the_refund_settles_it(
    admin_user, desk_user, django_capture_on_commit_callbacks, rule, used, refund
):
    BillingPolicy.objects.update_or_create(pk=1, defaults={"refund_rule": rule})
    setup = knee_series()
    package = sell(setup, by=desk_user)
    payment = pay_all(setup, package.invoice, by=desk_user).payment
    attend(setup, 1, desk_user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_mark_no_show(appointment=setup.sessions[1], by=desk_user, now=STARTS[1].replace(hour=23))
    redemption_make(appointment_id=setup.sessions[1].pk, kind="forfeited", by=desk_user, now=STARTS[1])
    attend(setup, 3, desk_user, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        package_close(package_id=package.pk, reason="Stopped", attempt_key=uuid.uuid4(), by=None, now=SOLD)
    key = uuid.uuid4()
    closed = package_close(
        package_id=package.pk, reason="Series stopped", attempt_key=key, by=admin_user, now=STARTS[2]
    )
    assert package_close(package_id=package.pk, reason="Series stopped", attempt_key=key, by=admin_user, now=STARTS[2])
    assert (closed.status, closed.refund_rule, closed.refund_amount) == ("closed", rule, refund)
    note = closed.credit_note
    assert note.total == PACKAGE - used and CreditNote.objects.count() == 1
    words = note.lines.get().description
    assert "3 sessions used" in words and f"= ${refund // 100}.00" in words
    invoice = Invoice.objects.get(pk=package.invoice_id)
    assert invoice.balance == -refund  # owed back to the patient
    services.refund_issue(
        payment_id=payment.pk,
        amount=refund,
        reason="Package closed early",
        attempt_key=uuid.uuid4(),
        invoice_id=invoice.pk,
        by=admin_user,
        now=STARTS[2],
    )
    invoice.refresh_from_db()
    assert invoice.balance == 0
    with pytest.raises(BillingError, match="cannot be closed again"):
        package_close(package_id=package.pk, reason="again", attempt_key=uuid.uuid4(), by=admin_user, now=STARTS[2])


def test_an_unpaid_package_closed_early_owes_only_the_sessions_given(
    admin_user, desk_user, django_capture_on_commit_callbacks
):
    setup = knee_series()
    package = sell(setup, by=desk_user)
    attend(setup, 1, desk_user, django_capture_on_commit_callbacks)
    closed = package_close(
        package_id=package.pk, reason="Moving away", attempt_key=uuid.uuid4(), by=admin_user, now=SOLD
    )
    assert closed.refund_amount == 0  # nothing was paid: paid − used is below 0, and never below 0
    invoice = Invoice.objects.get(pk=package.invoice_id)
    assert invoice.balance == VISIT  # the one session given, at the single-visit price


def test_a_series_deposit_is_invoiced_at_booking_and_applied_to_the_package(
    desk_user, django_capture_on_commit_callbacks
):
    fees()
    DepositPolicy.objects.create(protocol=protocol(), charge="fixed", amount=10000)
    with django_capture_on_commit_callbacks(execute=True):
        setup = knee_series(priced=False, by=desk_user)
    deposit = Invoice.objects.get(kind=Invoice.Kind.DEPOSIT)
    assert (deposit.status, deposit.total, deposit.series_id, deposit.appointment_id) == (
        "issued",
        10000,
        setup.series.pk,
        setup.sessions[0].pk,
    )
    package = sell(setup, by=desk_user)
    assert package.deposit_invoice_id == deposit.pk and package.price == PACKAGE
    assert package.invoice.total == PACKAGE - 10000
    assert "less the deposit" in package.invoice.lines.get().description
    assert BillingEvent.objects.filter(invoice=deposit, action="deposit_applied").exists()


def test_full_prepayment_at_booking_is_the_packages_own_invoice(desk_user, django_capture_on_commit_callbacks):
    """A protocol's deposit of 100 % (the clinic's "full prepayment") is the package's price: the
    desk's sale makes no second invoice, the deposit invoice is the package's, and what was paid on
    it is the package's paid; the portal offers nothing more to pay."""
    fees()
    DepositPolicy.objects.create(protocol=protocol(), charge="percent", percent_bp=10000)
    with django_capture_on_commit_callbacks(execute=True):
        setup = knee_series(priced=False, by=desk_user)
    deposit = Invoice.objects.get(kind=Invoice.Kind.DEPOSIT)
    assert deposit.total == PACKAGE
    pay_all(setup, deposit, by=desk_user)
    package = sell(setup, by=desk_user)
    assert package.invoice_id == deposit.pk and package.deposit_invoice_id is None
    assert package.price == PACKAGE
    assert Invoice.objects.filter(series=setup.series).count() == 1  # no second invoice
    from billing.selectors.packages import deposit_to_apply, package_paid

    assert package_paid(package) == PACKAGE
    assert deposit_to_apply(setup.series.pk) is None  # never applied a second time


def test_a_percentage_deposit_for_a_visit_type_comes_off_its_check_out(desk_user, django_capture_on_commit_callbacks):
    from clinic.models import AppointmentType
    from tests.factories import PatientFactory, appointment_type
    from treatments.scheduling.services.booking import appointment_book

    setup = knee_series()  # the fees, a practitioner and a location
    DepositPolicy.objects.create(appointment_type=appointment_type("injection"), charge="percent", percent_bp=2500)
    with django_capture_on_commit_callbacks(execute=True):
        visit = appointment_book(
            patient=PatientFactory(),
            practitioner=setup.practitioner,
            location=setup.location,
            appointment_type=AppointmentType.objects.get(slug="injection"),
            start=local(2026, 5, 6, 10),
            by=desk_user,
            now=SOLD,
        )
    deposit = Invoice.objects.get(kind=Invoice.Kind.DEPOSIT, appointment=visit)
    assert deposit.total == VISIT // 4  # 25% of $150.00
    # At check-out the visit's invoice is its fee less the deposit, named on the line.
    checkout = services.checkout_invoice(appointment_id=visit.pk, by=desk_user, now=visit.start)
    assert checkout.total == VISIT - VISIT // 4
    assert f"less the deposit on {deposit.display_number} ($37.50)" in checkout.lines.get().description
    assert BillingEvent.objects.filter(invoice=deposit, action="deposit_applied").exists()


def test_voiding_the_invoice_of_an_open_package_is_refused_so_it_gives_no_free_session(
    admin_user, desk_user, django_capture_on_commit_callbacks
):
    """A voided package invoice left its package active: the next sessions were taken from a
    package nobody owed for, and no other package could be sold. Closing it is the way out."""
    setup = knee_series()
    package = sell(setup, by=desk_user)
    with pytest.raises(BillingError, match="close the package"):
        services.invoice_void(
            invoice_id=package.invoice_id,
            version=None,
            reason="Sold by mistake",
            attempt_key=uuid.uuid4(),
            by=admin_user,
            now=SOLD,
        )
    invoice = Invoice.objects.get(pk=package.invoice_id)
    assert invoice.status == "issued" and not CreditNote.objects.exists()
    closed = package_close(
        package_id=package.pk, reason="Sold by mistake", attempt_key=uuid.uuid4(), by=admin_user, now=SOLD
    )
    assert closed.status == Package.Status.CLOSED
    attend(setup, 1, desk_user, django_capture_on_commit_callbacks)
    assert not PackageRedemption.objects.exists()
