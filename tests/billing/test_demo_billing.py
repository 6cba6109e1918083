"""The demo clinic's money (`make run`): fees, packages sold with their sessions redeemed, payments,
a package closed early with its credit note and refund, and yesterday's close that balances."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from billing.models import CreditNote, DayClose, Fee, Invoice, Package, PackageRedemption, Payment, Refund

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)  # as tests/clinic/test_seed_demo.py


def test_the_demo_clinic_has_money_and_a_second_run_adds_none():
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo")
    assert Fee.objects.filter(protocol__isnull=False).exists() and Fee.objects.filter(code="M0076").exists()
    assert Package.objects.count() == 6
    assert PackageRedemption.objects.exists()
    assert Payment.objects.count() == 5
    closed = Package.objects.get(status="closed")
    assert CreditNote.objects.filter(invoice=closed.invoice).exists()
    refund = Refund.objects.get()
    assert refund.amount == closed.refund_amount > 0
    assert Invoice.objects.get(pk=closed.invoice_id).balance == 0
    close = DayClose.objects.get()
    assert close.business_date == dt.date(2026, 11, 25)
    assert all(line.counted == line.expected for line in close.lines.all())
    assert sum(line.expected for line in close.lines.all()) > 0
    counts = (Package.objects.count(), Payment.objects.count(), Refund.objects.count())
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        call_command("seed_demo")
    assert (Package.objects.count(), Payment.objects.count(), Refund.objects.count()) == counts


def test_the_demo_sells_a_knee_series_as_a_five_session_package():
    """The issue's journey on the demo clinic: the desk books a knee series and sells its
    5-session package — so a knee protocol's package covers five sessions (Rabago 2013: three
    required and two optional), not only the three required."""
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo")
    knee = Fee.objects.get(protocol__name="Knee OA — Rabago 2013")
    assert (knee.package_sessions, knee.description) == (5, "Series package, 5 sessions")
    as_needed = Fee.objects.get(protocol__name="Achilles — Yelland 2011")  # optional sessions as needed
    assert as_needed.package_sessions == 4
