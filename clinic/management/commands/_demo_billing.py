"""The demo clinic's money, made through billing's own services so the demo's ledger obeys the same
rules as the desk's: a fee schedule (a session, a consultation and each protocol's package), a
late-cancel and no-show policy, packages sold for six series with their attended sessions
redeemed, payments (card, cash, a transfer, one part-paid), one package closed early with its
credit note and the refund, and yesterday's close at Downtown that balances.

Idempotent: nothing is made when the demo's fee schedule exists."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth import get_user_model
from django.db import transaction

from billing.models import CancellationPolicy, DepositPolicy, Fee, Package
from billing.services import AllocationRequest, day_close, day_totals, payment_take, refund_issue
from billing.services.package_ends import package_close
from billing.services.packages import package_sell, redemption_make
from clinic.localtime import local_date, local_datetime
from clinic.models import AppointmentType, ClinicSettings, Location, Practitioner
from treatments.models import Appointment, Protocol, TreatmentSeries

SESSION_PRICE = 15000  # $150.00
CONSULTATION_PRICE = 12000
PACKAGE_SESSION_PRICE = 13000  # a package's session: $130.00
# How the demo's packages were paid: the method, and the amount when only part was paid.
PAYMENTS = [("card_terminal", None), ("cash", None), ("bank_transfer", None), ("card_terminal", 20000)]


# What the superbill and the Good Faith Estimate print (demo values; the NPIs carry a valid check
# digit): the practice's group NPI and TIN, each practitioner's NPI and licence.
PRACTICE_IDS = {"group_npi": "1234567893", "tax_id": "36-1234567", "address": "200 W Adams St, Chicago, IL 60606"}
PRACTITIONER_IDS = {
    "practitioner": ("1987654328", "IL 036-123456"),
    "okafor": ("1765432103", "IL 036-234567"),
    "lindqvist": ("1543210987", "IL 036-345678"),
}
CONSULTATION_DEPOSIT = 3000  # $30.00, paid at /book/ on the (demo fake) card page
CONSULTATION_LATE_FEE = 4000  # $40.00: /book/ then offers to save a card for it


def seed_online() -> None:
    """Issue 23 in the demo: /book/'s consultation asks a deposit (paid on the demo fake Stripe
    under `make run`) and has a late-cancel fee (so /book/ offers to keep a card on file); the
    papers carry the practice's and practitioners' ids; /book/ offers times today. Only what is
    missing is set (the same-day rule is the demo's)."""
    ClinicSettings.objects.filter(pk=1, group_npi="").update(**PRACTICE_IDS)
    # A time later today can be booked at /book/ (an hour's notice), so the whole journey — book and
    # pay, check in, the superbill — can be tried in one sitting.
    ClinicSettings.objects.filter(pk=1).update(online_same_day=True, online_min_notice_hours=1)
    for username, (npi, licence) in PRACTITIONER_IDS.items():
        Practitioner.objects.filter(user__username=username, npi="").update(npi=npi, licence=licence)
    consultation = AppointmentType.objects.get(slug="consultation")
    DepositPolicy.objects.get_or_create(
        appointment_type=consultation, defaults={"charge": "fixed", "amount": CONSULTATION_DEPOSIT}
    )
    CancellationPolicy.objects.get_or_create(
        appointment_type=consultation,
        defaults={"window_hours": 24, "charge": "fixed", "amount": CONSULTATION_LATE_FEE},
    )


def seed_billing(*, now: dt.datetime) -> bool:
    """Returns whether anything was made."""
    seed_online()
    if Fee.objects.filter(code="M0076", description="Prolotherapy session").exists():
        return False
    admin = get_user_model().objects.get(username="admin")
    desk = get_user_model().objects.get(username="frontdesk")
    yesterday = local_date(now) - dt.timedelta(days=1)
    with transaction.atomic():
        _fees()
        CancellationPolicy.objects.get_or_create(
            appointment_type=AppointmentType.objects.get(slug="injection"),
            defaults={"window_hours": 24, "charge": "fixed", "amount": 5000},
        )
        # Sold a week before yesterday, paid yesterday: yesterday's takings, then its close.
        sold_at = local_datetime(yesterday - dt.timedelta(days=7), dt.time(10))
        paid_at = local_datetime(yesterday, dt.time(11))
        series = list(
            TreatmentSeries.objects.filter(status=TreatmentSeries.Status.ACTIVE, created_at__lte=sold_at)
            .select_related("location")
            .order_by("pk")[:6]
        )
        packages = []
        for n, one in enumerate(series):
            package = package_sell(series_id=one.pk, attempt_key=uuid.uuid4(), by=desk, now=sold_at)
            for session in one.appointments.filter(status=Appointment.Status.COMPLETED).order_by("start"):
                redemption_make(appointment_id=session.pk, kind="attended", by=desk, now=max(session.start, sold_at))
            method, amount = PAYMENTS[n % len(PAYMENTS)]
            if n < 5:
                payment = payment_take(
                    patient_id=one.patient_id,
                    location_id=package.invoice.location_id,
                    method=method,
                    amount=amount or package.invoice.total,
                    allocations=[AllocationRequest(package.invoice_id, amount or package.invoice.total)],
                    attempt_key=uuid.uuid4(),
                    reference=f"T-{4100 + n:04d}" if method == "card_terminal" else "",
                    by=desk,
                    now=paid_at,
                ).payment
                packages.append((package, payment))
        if not packages:
            return True
        # The first fully paid package is closed early (the patient moved away): its credit note
        # and the refund of what was paid above the sessions given.
        package, payment = packages[0]
        closed = package_close(
            package_id=package.pk, reason="Patient moved away", attempt_key=uuid.uuid4(), by=admin, now=paid_at
        )
        if closed.refund_amount:
            refund_issue(
                payment_id=payment.pk,
                amount=closed.refund_amount,
                reason="Package closed early: Patient moved away",
                attempt_key=uuid.uuid4(),
                invoice_id=closed.invoice_id,
                by=admin,
                now=paid_at,
            )
        downtown = Location.objects.get(name="Downtown")
        counted = {t.method: t.expected for t in day_totals(location_id=downtown.pk, business_date=yesterday)}
        day_close(
            location_id=downtown.pk,
            business_date=yesterday,
            counted=counted,
            by=desk,
            now=local_datetime(yesterday, dt.time(18)),
        )
    return Package.objects.exists()


def package_sessions(protocol: Protocol) -> int:
    """The sessions a protocol's demo package covers: its whole course — the required sessions and,
    unless the extra ones are given only as needed, the optional ones (a knee series of Rabago 2013
    is sold as five: three required and two optional)."""
    return protocol.required_sessions + (0 if protocol.as_needed else protocol.optional_sessions)


def _fees() -> None:
    since = dt.date(2026, 1, 1)
    Fee.objects.create(
        appointment_type=AppointmentType.objects.get(slug="injection"),
        code_system="hcpcs",
        code="M0076",
        description="Prolotherapy session",
        unit_price=SESSION_PRICE,
        valid_from=since,
    )
    Fee.objects.create(
        appointment_type=AppointmentType.objects.get(slug="consultation"),
        code_system="cpt",
        code="99203",
        description="Consultation (new patient visit)",
        unit_price=CONSULTATION_PRICE,
        valid_from=since,
    )
    for protocol in Protocol.objects.filter(active=True):
        sessions = package_sessions(protocol)
        Fee.objects.create(
            protocol=protocol,
            package_sessions=sessions,
            code=f"PKG{sessions}",
            description=f"Series package, {sessions} sessions",
            unit_price=PACKAGE_SESSION_PRICE * sessions,
            valid_from=since,
        )
