"""Billing's speed: the desk's day page with money on its cards (a balance due on every card, a
package session on the series' ones), built afresh and kept, with its query count; and the money
report (the aged balances and the package liability) at 1× and 10× a clinic's invoice history.

The day's money is made through billing's own services (an invoice per patient, a package per
series, the sessions redeemed); the history is bulk-created once (invoices with their lines and
payments, numbers from 9,000,000 up so they never meet the services' own), as the other benches
bulk-create appointments. Run alone: `BENCH_ONLY=billing make bench`."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from functools import partial

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.core import Context, Result, benchmark, time_per_op

HISTORY = 3_000  # invoices of "1×": about a year of a small clinic's visits and packages
FIRST_NUMBER = 9_000_000


def _queries(fn: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def _busiest_day() -> dt.date:
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from treatments.models import Appointment

    row = (
        Appointment.objects.filter(status__in=["booked", "checked_in", "completed"])
        .annotate(day=TruncDate("start"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return row["day"] if row else timezone.localdate()


def _money_on(day: dt.date) -> int:
    """Every patient of the day owes one invoice; each series shown has a package with its past
    sessions redeemed. Idempotent (a marker note on the invoices)."""
    from billing.models import Fee, Invoice, Package
    from billing.services import invoice_add_line, invoice_create_draft, invoice_issue
    from billing.services.packages import package_sell, redemption_make
    from clinic.localtime import day_bounds
    from treatments.models import Appointment, Protocol

    start, end = day_bounds(day)
    shown = list(Appointment.objects.filter(start__gte=start, start__lt=end).select_related("series"))
    if Invoice.objects.filter(note="bench day").exists():
        return len(shown)
    now = start - dt.timedelta(days=1)
    for protocol in Protocol.objects.all():
        if not Fee.objects.filter(protocol=protocol).exists():
            Fee.objects.create(
                protocol=protocol,
                package_sessions=max(protocol.required_sessions + protocol.optional_sessions, 1),
                code="PKG",
                description="Series package",
                unit_price=60000,
                valid_from=dt.date(2000, 1, 1),
            )
        if not Fee.objects.filter(appointment_type_id=protocol.appointment_type_id).exists():
            Fee.objects.create(
                appointment_type_id=protocol.appointment_type_id,
                code="M0076",
                description="Session",
                unit_price=15000,
                valid_from=dt.date(2000, 1, 1),
            )
    for patient_id, location_id in {(a.patient_id, a.location_id) for a in shown}:
        invoice = invoice_create_draft(
            patient_id=patient_id, location_id=location_id, note="bench day", by=None, now=now
        )
        invoice_add_line(invoice_id=invoice.pk, version=None, description="Visit", unit_price=4000, by=None, now=now)
        invoice_issue(invoice_id=invoice.pk, version=None, by=None, now=now)
    for series in {a.series for a in shown if a.series is not None and a.series.status == "active"}:
        if Package.objects.filter(series=series, status="active").exists():
            continue
        package_sell(series_id=series.pk, attempt_key=uuid.uuid4(), by=None, now=now)
        for session in series.appointments.filter(status__in=["checked_in", "completed"]).order_by("start"):
            redemption_make(appointment_id=session.pk, kind="attended", by=None, now=now)
    return len(shown)


def _analyze_billing() -> None:
    """Fresh statistics for the billing tables the bench just filled, as a live database's
    autovacuum keeps them (a planner that believes them empty picks other plans)."""
    if connection.vendor != "postgresql":
        return
    from billing.models import Invoice, Package, PackageRedemption

    with connection.cursor() as cursor:
        for model in (Invoice, Package, PackageRedemption):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


@benchmark
def billing_day_page_with_money(ctx: Context) -> list[Result]:
    from django.core.cache import cache

    from treatments.scheduling.day_grid import forget_grids

    day = _busiest_day()
    cards = _money_on(day)
    _analyze_billing()
    client = ctx.client("desk")
    url = f"/desk/?date={day.isoformat()}"

    def afresh() -> None:
        cache.clear()
        forget_grids()
        assert client.get(url).status_code == 200

    built_queries = _queries(afresh)
    kept_queries = _queries(lambda: client.get(url))
    page = client.get(url).content.decode()
    shown = page.count("hook-badge")
    note = (
        f"{cards} cards, {shown} money badges; {built_queries} queries built, {kept_queries} kept; {connection.vendor}"
    )
    results = [
        Result("billing: day page with money, kept", time_per_op(lambda: client.get(url), repeat=20), 20, "page", note),
        Result("billing: day page with money, built afresh", time_per_op(afresh, repeat=20), 20, "page", note),
    ]
    # The same day without billing's providers: what the money on the cards costs.
    from treatments import hooks

    saved = hooks._providers["appointment"]
    hooks._providers["appointment"] = []
    try:
        bare = f"{_queries(afresh)} queries built; {connection.vendor}"
        seconds = time_per_op(afresh, repeat=20)
        results.append(Result("billing: the same day page without money, built afresh", seconds, 20, "page", bare))
    finally:
        hooks._providers["appointment"] = saved
    return results


def _ensure_history(target: int) -> None:
    """`target` issued invoices over the two years before the busiest day, with a line each, nine in
    ten paid (6% in part, 4% not at all), bulk-created once."""
    from billing.models import Allocation, Invoice, InvoiceLine, Payment
    from clinic.models import Location, Practitioner
    from patients.models import Patient

    have = Invoice.objects.filter(number__gte=FIRST_NUMBER).count()
    if have > target:
        # A database seeded for 10× by an earlier run: the 1× figures must be read at 1× (they
        # were read at 10×, the same 30,653 invoices in both rows of docs/benchmarks.md).
        _trim_history(target)
    if have >= target:
        return
    rng = random.Random(11)
    locations = list(Location.objects.values_list("pk", flat=True))
    practitioners = list(Practitioner.objects.values_list("pk", flat=True))
    patients = list(Patient.objects.order_by("pk").values_list("pk", flat=True)[:5000])
    last_day = _busiest_day()
    invoices, lines, payments = [], [], []
    now = dt.datetime.now(dt.UTC)
    for n in range(have, target):
        issued = last_day - dt.timedelta(days=rng.randrange(730))
        total = rng.choice([4000, 15000, 15000, 60000])
        # Most invoices are paid by the time of the report; some in part, a few not at all.
        paid = rng.choices([total, total // 2, 0], weights=[90, 6, 4])[0]
        invoices.append(
            Invoice(
                patient_id=rng.choice(patients),
                location_id=rng.choice(locations),
                practitioner_id=rng.choice(practitioners),
                kind="regular",
                status="paid" if paid == total else "issued",
                number=FIRST_NUMBER + n,
                issued_at=now,
                issue_date=issued,
                due_date=issued,
                total=total,
                balance=total - paid,
                created_at=now,
            )
        )
        payments.append((paid, issued))
    Invoice.objects.bulk_create(invoices, batch_size=2000)
    made = list(Invoice.objects.filter(number__gte=FIRST_NUMBER + have).order_by("number"))
    for invoice in made:
        lines.append(
            InvoiceLine(
                invoice=invoice, description="Visit", unit_price=invoice.total, line_total=invoice.total, line_tax=0
            )
        )
    InvoiceLine.objects.bulk_create(lines, batch_size=2000)
    rows = [
        Payment(
            patient_id=invoice.patient_id,
            location_id=invoice.location_id,
            method="cash",
            amount=paid,
            attempt_key=uuid.uuid4(),
            taken_at=now,
            business_date=issued,
        )
        for invoice, (paid, issued) in zip(made, payments, strict=True)
        if paid
    ]
    Payment.objects.bulk_create(rows, batch_size=2000)
    paid_invoices = [(invoice, paid) for invoice, (paid, _day) in zip(made, payments, strict=True) if paid]
    Allocation.objects.bulk_create(
        [
            Allocation(payment=payment, invoice=invoice, amount=paid, at=now)
            for payment, (invoice, paid) in zip(rows, paid_invoices, strict=True)
        ],
        batch_size=2000,
    )


def _trim_history(target: int) -> None:
    """Remove the history beyond its first `target` invoices (their lines, allocations and the
    payments that paid them), so that 1× is measured at 1× after a 10× run."""
    from django.db import transaction

    from billing.models import Allocation, Invoice, InvoiceLine, Payment

    extra = Invoice.objects.filter(number__gte=FIRST_NUMBER + target)
    with transaction.atomic():
        paying = list(Allocation.objects.filter(invoice__in=extra).values_list("payment_id", flat=True))
        Allocation.objects.filter(invoice__in=extra).delete()
        for start in range(0, len(paying), 500):
            Payment.objects.filter(pk__in=paying[start : start + 500]).delete()
        InvoiceLine.objects.filter(invoice__in=extra).delete()
        extra.delete()


@benchmark
def billing_money_report(ctx: Context) -> list[Result]:
    from billing.models import Invoice
    from billing.selectors.reports import billing_report

    last = _busiest_day()
    results = []
    client = ctx.client("admin")
    for times in (1, 10):
        _ensure_history(HISTORY * times)
        _analyze_billing()
        total = Invoice.objects.count()
        for label, first in (("a month", last.replace(day=1)), ("a year", last - dt.timedelta(days=364))):

            def report(first: dt.date = first) -> object:
                return billing_report(first=first, last=last, today=last)

            queries = _queries(report)
            seconds = time_per_op(report, repeat=10)
            note = f"{total} invoices; {queries} queries; {connection.vendor}"
            results.append(Result(f"billing: money report, {label}, {times}x history", seconds, 10, note=note))
        url = f"/billing/reports/?first={last - dt.timedelta(days=364)}&last={last}"
        seconds = time_per_op(partial(client.get, url), repeat=10)
        results.append(
            Result(f"billing: report page, a year, {times}x history", seconds, 10, "page", f"{total} invoices")
        )
    return results
