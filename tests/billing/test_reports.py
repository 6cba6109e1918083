"""The money report: invoiced, credited, collected, outstanding aged 0-30/31-60/61-90/90+ and the
unredeemed-package liability, by practitioner and location, for a chosen period, in a fixed
number of queries; a practitioner sees their own figures; the exports escape every text cell."""

import csv
import datetime as dt
import io
import uuid

import pytest

from billing import services
from billing.package_rules import liability
from billing.selectors.reports import billing_report, open_packages
from billing.services import AllocationRequest, CreditLine
from billing.services.packages import redemption_make
from clinic.models import Location
from tests.billing.factories_series import PACKAGE, SOLD, STARTS, knee_series, sell
from tests.factories import PatientFactory, PractitionerFactory
from tests.treatments.factories_desk import local

pytestmark = pytest.mark.django_db
FIRST, LAST = dt.date(2026, 6, 1), dt.date(2026, 6, 30)
TODAY = dt.date(2026, 7, 15)


def invoice(*, patient, location, practitioner, amount: int, on: dt.date, by=None):
    when = local(on.year, on.month, on.day, 10)
    draft = services.invoice_create_draft(
        patient_id=patient.pk,
        location_id=location.pk,
        practitioner_id=practitioner.pk if practitioner else None,
        by=by,
        now=when,
    )
    services.invoice_add_line(
        invoice_id=draft.pk, version=None, description="Visit", unit_price=amount, by=by, now=when
    )
    return services.invoice_issue(invoice_id=draft.pk, version=None, by=by, now=when)


def pay(inv, amount: int, *, on: dt.date, by=None):
    return services.payment_take(
        patient_id=inv.patient_id,
        location_id=inv.location_id,
        method="cash",
        amount=amount,
        allocations=[AllocationRequest(inv.pk, amount)],
        attempt_key=uuid.uuid4(),
        by=by,
        now=local(on.year, on.month, on.day, 11),
    ).payment


@pytest.fixture
def ledger(admin_user):
    """Two practitioners at one location: invoices inside the period and before it, part-paid, a
    credit note and a refund in the period."""
    location = Location.objects.create(name="Main Street")
    ada, ben = PractitionerFactory(display_name="Dr Ada"), PractitionerFactory(display_name="Dr Ben")
    patient = PatientFactory()
    a = invoice(patient=patient, location=location, practitioner=ada, amount=15000, on=dt.date(2026, 6, 20))
    pay(a, 10000, on=dt.date(2026, 6, 21))  # 50.00 left, 10 days old at the period's end
    b = invoice(patient=patient, location=location, practitioner=ada, amount=20000, on=dt.date(2026, 5, 15))  # 46 days
    c = invoice(patient=patient, location=location, practitioner=ben, amount=30000, on=dt.date(2026, 3, 1))  # 121 days
    d = invoice(patient=patient, location=location, practitioner=ben, amount=8000, on=dt.date(2026, 6, 2))
    paid_d = pay(d, 8000, on=dt.date(2026, 6, 2))
    when = local(2026, 6, 10, 12)
    services.credit_note_issue(
        invoice_id=d.pk,
        version=None,
        lines=[CreditLine("Goodwill", 3000)],
        reason="Goodwill",
        attempt_key=uuid.uuid4(),
        by=admin_user,
        now=when,
    )
    services.refund_issue(
        payment_id=paid_d.pk,
        amount=3000,
        reason="Goodwill",
        attempt_key=uuid.uuid4(),
        invoice_id=d.pk,
        by=admin_user,
        now=when,
    )
    return {"ada": ada, "ben": ben, "location": location, "a": a, "b": b, "c": c, "d": d}


def test_the_figures_by_practitioner_and_location(ledger):
    report = billing_report(first=FIRST, last=LAST, today=TODAY)
    ada, ben = report.rows
    assert (ada.practitioner, ada.location) == ("Dr Ada", "Main Street")
    assert (ada.invoiced, ada.credited, ada.collected) == (15000, 0, 10000)
    assert ada.aged == [5000, 20000, 0, 0]  # 10 days and 46 days old at 30 June
    assert (ben.invoiced, ben.credited, ben.collected) == (8000, 3000, 5000)  # 80 paid, 30 refunded
    assert ben.aged == [0, 0, 0, 30000]  # 121 days
    assert report.totals.outstanding == 55000 and report.as_of == LAST


def test_a_package_holds_what_was_paid_less_the_sessions_given(desk_user):
    setup = knee_series()
    package = sell(setup, by=desk_user)
    pay(package.invoice, PACKAGE, on=SOLD.date())
    for session in setup.sessions[:3]:
        redemption_make(appointment_id=session.pk, kind="attended", by=desk_user, now=session.start)
    report = billing_report(first=dt.date(2026, 5, 1), last=dt.date(2026, 7, 31), today=dt.date(2026, 8, 1))
    (row,) = report.rows
    # $600.00 paid − 3 × $600.00 ÷ 5 = $240.00 held for the two sessions not yet given
    assert row.liability == 24000 == liability(paid=PACKAGE, redeemed=3, sessions=5, price=PACKAGE)
    assert open_packages(sold_by=STARTS[0]).get().held == 24000
    # A package sold after the period is not in it.
    assert billing_report(first=dt.date(2026, 4, 1), last=dt.date(2026, 4, 30), today=TODAY).totals.liability == 0


def test_the_sql_agrees_with_the_rule_when_it_does_not_divide(desk_user):
    setup = knee_series()
    package = sell(setup, by=desk_user)
    pay(package.invoice, 10001, on=SOLD.date())
    redemption_make(appointment_id=setup.sessions[0].pk, kind="attended", by=desk_user, now=STARTS[0])
    held = open_packages(sold_by=STARTS[1]).get().held
    assert held == liability(paid=10001, redeemed=1, sessions=5, price=PACKAGE) == 0  # 10001 − 12000 < 0
    pay(package.invoice, 20000, on=SOLD.date())
    held = open_packages(sold_by=STARTS[1]).get().held
    assert held == liability(paid=30001, redeemed=1, sessions=5, price=PACKAGE) == 18001


def test_a_practitioner_sees_their_own_figures_only(client, ledger):
    user = ledger["ada"].user
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name="Practitioner"))
    client.force_login(user)
    page = client.get(f"/billing/reports/?first={FIRST}&last={LAST}").content.decode()
    assert "Dr Ada" in page and "Dr Ben" not in page and "Your own figures" in page
    rows = list(
        csv.reader(io.StringIO(client.get(f"/billing/reports/billing.csv?first={FIRST}&last={LAST}").content.decode()))
    )
    assert [r[0] for r in rows[1:]] == ["Dr Ada"]


def test_the_desk_does_not_see_the_money_reports(desk_client):
    assert desk_client.get("/billing/reports/").status_code == 403
    assert desk_client.get("/billing/reports/billing.csv").status_code == 403


def test_a_bad_period_is_shown_and_exports_nothing(admin_client_):
    response = admin_client_.get("/billing/reports/?first=2026-06-30&last=2026-06-01")
    assert response.status_code == 400 and "The period ends before it starts." in response.content.decode()
    assert admin_client_.get("/billing/reports/billing.csv?first=junk&last=2026-06-01").status_code == 400
    assert (
        admin_client_.get("/billing/reports/xero-sales-invoices.csv?first=2020-01-01&last=2026-06-01").status_code
        == 400
    )


def test_every_text_cell_of_the_exports_is_escaped(admin_client_, ledger):
    Location.objects.filter(pk=ledger["location"].pk).update(name="=HYPERLINK(1)")
    from patients.models import Patient

    Patient.objects.filter(pk=ledger["a"].patient_id).update(first_name="@SUM", last_name="-1")
    rows = list(
        csv.reader(
            io.StringIO(admin_client_.get(f"/billing/reports/billing.csv?first={FIRST}&last={LAST}").content.decode())
        )
    )
    assert rows[0][:3] == ["practitioner", "location", "invoiced"]
    assert {r[1] for r in rows[1:]} == {"'=HYPERLINK(1)"}
    assert rows[1][2] == "150.00"  # amounts are numbers, not escaped
    xero = list(
        csv.reader(
            io.StringIO(
                admin_client_.get(
                    f"/billing/reports/xero-sales-invoices.csv?first={FIRST}&last={LAST}"
                ).content.decode()
            )
        )
    )
    assert xero[0][:4] == ["*ContactName", "EmailAddress", "POAddressLine1", "POAddressLine2"]
    assert "*InvoiceNumber" in xero[0] and "*TaxType" in xero[0]
    number = xero[0].index("*InvoiceNumber")
    lines = {r[number]: r for r in xero[1:]}
    assert set(lines) == {ledger["a"].display_number, ledger["d"].display_number}  # issued in June
    assert lines[ledger["a"].display_number][0] == "'@SUM -1"
    assert lines[ledger["a"].display_number][xero[0].index("*InvoiceDate")] == "06/20/2026"  # US order
    assert lines[ledger["a"].display_number][xero[0].index("*UnitAmount")] == "150.00"


@pytest.mark.parametrize("count", [1, 20])
def test_the_report_reads_a_fixed_number_of_queries(admin_client_, django_assert_max_num_queries, count):
    location = Location.objects.create(name="Main Street")
    patient = PatientFactory()
    for n in range(count):
        invoice(
            patient=patient,
            location=location,
            practitioner=PractitionerFactory(),
            amount=1000 + n,
            on=dt.date(2026, 6, 1 + n % 28),
        )
    # invoiced, unpaid (aged), credit notes, allocations, refunds, packages
    with django_assert_max_num_queries(6):
        billing_report(first=FIRST, last=LAST, today=TODAY)
    admin_client_.get("/billing/reports/")
    # session, user, roles, settings, navigation (about 8), the report's 6, the practitioner lookup
    with django_assert_max_num_queries(16):
        admin_client_.get(f"/billing/reports/?first={FIRST}&last={LAST}")
