"""Series packages: selling one (its invoice raised through billing.services.invoices), redeeming a
session (attended, or forfeited for a no-show / late cancellation), undoing a redemption. How a
package ends (closed early with the refund computed by the clinic's rule and credited on screen,
or expired with the patient told beforehand): package_ends.py.

Every write is keyword-only, owns its transaction, locks the package row, writes a history row on
the package's invoice (billing.models.BillingEvent) and the clinic's audit entry (`record`)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from billing.models import BillingEvent, BillingPolicy, Fee, Invoice, Package, PackageRedemption
from billing.money import format_money, line_amounts
from billing.selectors.fees import fee_for_protocol, fee_for_type
from billing.selectors.packages import deposit_to_apply, live_redemptions
from clinic.localtime import day_text, local_date
from clinic.models import AuditEntry
from treatments.models import Appointment, TreatmentSeries

from ._common import BillingError, record
from .deposits import line_less_deposit
from .invoice_lines import invoice_add_fee_line
from .invoices import invoice_create_draft, invoice_issue

Kind = PackageRedemption.Kind
# The statuses in which a session was given (checked in, or its record signed).
ATTENDED = (Appointment.Status.CHECKED_IN, Appointment.Status.COMPLETED)


def lock_package(package_id: int) -> Package:
    """The package row, locked for this transaction (every package write takes it first)."""
    try:
        return Package.objects.select_for_update().get(pk=package_id)
    except Package.DoesNotExist:
        raise BillingError(_("That package does not exist.")) from None


@contextmanager
def _refused_as(message: str) -> Iterator[None]:
    """A write one of the package constraints may refuse (two desks, or a desk and the sweep, at
    once): in its own savepoint, the refusal said in `message`."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise BillingError(message) from None


def package_event(
    package: Package,
    *,
    action: str,
    detail: str,
    amount: int | None = None,
    audit: str = AuditEntry.Action.CHANGE,
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> None:
    """A package's history row, on its invoice, and the audit entry on that invoice."""
    record(
        action=action,
        by=by,
        now=now,
        patient_id=package.patient_id,
        invoice=package.invoice,
        amount=amount,
        detail=detail,
        audit=audit,
        ip=ip,
    )


def _package_invoice(
    series: TreatmentSeries,
    *,
    fee: Fee,
    price: int,
    deposit: Invoice | None,
    single_visit: int,
    by: User | None,
    now: dt.datetime,
    ip: str | None,
) -> Invoice:
    """The sale's issued invoice: the package fee's line, or its price less the series' deposit."""
    invoice = invoice_create_draft(
        patient_id=series.patient_id,
        location_id=series.location_id,
        kind=Invoice.Kind.PACKAGE,
        series_id=series.pk,
        practitioner_id=series.practitioner_id,
        note=_("Series package: %(n)d sessions (single visit %(price)s)")
        % {"n": fee.package_sessions, "price": format_money(single_visit)},
        by=by,
        now=now,
        ip=ip,
    )
    if deposit is None:
        invoice_add_fee_line(
            invoice_id=invoice.pk, version=None, fee_id=fee.pk, series_id=series.pk, by=by, now=now, ip=ip
        )
    else:
        line_less_deposit(
            invoice, fee=fee, price=price, deposit=deposit, what=_("the series package"), by=by, now=now, ip=ip
        )
    return invoice_issue(invoice_id=invoice.pk, version=None, by=by, now=now, ip=ip)


def package_sell(
    *,
    series_id: int,
    attempt_key: uuid.UUID,
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> Package:
    """Sell the series' protocol package at today's fee: one issued invoice for the package price,
    the single-visit price (the protocol's visit fee) stated beside it. A second click with the
    same attempt key returns the first sale; a series holds one active package at a time."""
    existing = Package.objects.filter(attempt_key=attempt_key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        series = (
            TreatmentSeries.objects.select_for_update(of=("self",))
            .select_related("protocol", "patient")
            .filter(pk=series_id)
            .first()
        )
        if series is None:
            raise BillingError(_("That series does not exist."))
        if series.status != TreatmentSeries.Status.ACTIVE:
            raise BillingError(_("Only an active series can be sold as a package."))
        if Package.objects.filter(series=series, status=Package.Status.ACTIVE).exists():
            raise BillingError(_("This series already has an active package."))
        today = local_date(now)
        fee = fee_for_protocol(protocol_id=series.protocol_id, day=today)
        if fee is None or not fee.package_sessions:
            raise BillingError(_("The fee schedule has no package price for this protocol today."))
        visit_fee = fee_for_type(appointment_type_id=series.protocol.appointment_type_id, day=today)
        if visit_fee is None:
            raise BillingError(
                _("The fee schedule has no single-visit price for this protocol's sessions today: add it first.")
            )
        single_visit, _tax = line_amounts(
            unit_price=visit_fee.unit_price,
            quantity=1,
            tax_rate_bp=visit_fee.tax_rate_bp,
            tax_inclusive=visit_fee.tax_inclusive,
        )
        price, _tax = line_amounts(
            unit_price=fee.unit_price, quantity=1, tax_rate_bp=fee.tax_rate_bp, tax_inclusive=fee.tax_inclusive
        )
        deposit = deposit_to_apply(series.pk)
        if deposit is not None and deposit.total >= price:
            # Full prepayment: the deposit invoiced at booking was the package's price, so it is the
            # package's invoice (nothing more to invoice; what was paid on it is the package's paid).
            invoice, deposit = deposit, None
        else:
            invoice = _package_invoice(
                series, fee=fee, price=price, deposit=deposit, single_visit=single_visit, by=by, now=now, ip=ip
            )
        policy = BillingPolicy.current()
        expires = today + dt.timedelta(days=policy.expiry_days) if policy.expiry_days else None
        with _refused_as(_("This series already has an active package.")):
            package = Package.objects.create(
                patient_id=series.patient_id,
                series=series,
                fee=fee,
                invoice=invoice,
                deposit_invoice=deposit,
                sessions=fee.package_sessions,
                price=price,
                single_visit_price=single_visit,
                sold_at=now,
                sold_by=by,
                expires_on=expires,
                attempt_key=attempt_key,
            )
        package_event(
            package,
            action=BillingEvent.Action.PACKAGE_SOLD,
            amount=invoice.total,
            detail=_("%(n)d sessions at %(price)s; single visit %(single)s")
            % {"n": package.sessions, "price": format_money(package.price), "single": format_money(single_visit)},
            audit=AuditEntry.Action.CREATE,
            by=by,
            now=now,
            ip=ip,
        )
    return package


def _step_words(appointment: Appointment) -> str:
    return _("session %(step)s on %(day)s") % {
        "step": appointment.series_step,
        "day": day_text(local_date(appointment.start)),
    }


def redemption_make(
    *, appointment_id: int, kind: str, by: User | None, now: dt.datetime, ip: str | None = None
) -> PackageRedemption | None:
    """Take one session of the appointment's series' active package for it: attended, or
    forfeited. None when the series has no active package (nothing to redeem). Refused when the
    appointment already holds one (also a database constraint, whoever races) or none is left."""
    if kind not in Kind.values:
        raise BillingError(_("Say whether the session was given or forfeited."))
    with transaction.atomic():
        appointment = Appointment.objects.filter(pk=appointment_id).first()
        if appointment is None or appointment.series_id is None:
            return None
        package = (
            Package.objects.select_for_update()
            .filter(series_id=appointment.series_id, status=Package.Status.ACTIVE)
            .first()
        )
        if package is None:
            return None
        if PackageRedemption.objects.filter(appointment_id=appointment_id, reversed_at__isnull=True).exists():
            raise BillingError(_("This session is already taken from the package."))
        used = live_redemptions(package)
        if used >= package.sessions:
            raise BillingError(_("The package has no session left."))
        with _refused_as(_("This session is already taken from the package.")):
            redemption = PackageRedemption.objects.create(
                package=package, appointment_id=appointment_id, kind=kind, at=now, by=by
            )
        package.redeemed = used + 1
        if package.redeemed == package.sessions:
            package.status = Package.Status.USED
        package.save(update_fields=["redeemed", "status"])
        package_event(
            package,
            action=BillingEvent.Action.REDEEMED if kind == Kind.ATTENDED else BillingEvent.Action.FORFEITED,
            detail=_("%(what)s: %(n)d of %(total)d")
            % {"what": _step_words(appointment), "n": used + 1, "total": package.sessions},
            audit=AuditEntry.Action.CREATE,
            by=by,
            now=now,
            ip=ip,
        )
    return redemption


def redemption_reverse(
    *, redemption_id: int, reason: str, by: User | None, now: dt.datetime, ip: str | None = None
) -> PackageRedemption:
    """Give the session back to the package (the attendance was recorded by mistake, a forfeit
    reconsidered): the row stays, marked reversed with the reason."""
    reason = reason.strip()
    if not reason:
        raise BillingError(_("Give a reason for giving the session back."))
    with transaction.atomic():
        package_id = PackageRedemption.objects.filter(pk=redemption_id).values_list("package_id", flat=True).first()
        if package_id is None:
            raise BillingError(_("That redemption does not exist."))
        package = lock_package(package_id)
        redemption = PackageRedemption.objects.select_related("appointment").get(pk=redemption_id)
        if redemption.reversed_at is not None:
            raise BillingError(_("This session was already given back to the package."))
        if package.status not in (Package.Status.ACTIVE, Package.Status.USED):
            raise BillingError(_("The package is closed: its sessions can no longer change."))
        redemption.reversed_at = now
        redemption.reversed_by = by
        redemption.reversed_reason = reason[:250]
        redemption.save(update_fields=["reversed_at", "reversed_by", "reversed_reason"])
        package.redeemed = live_redemptions(package)
        if package.status == Package.Status.USED:
            package.status = Package.Status.ACTIVE
        with _refused_as(_("This series has another active package: give the session back there.")):
            package.save(update_fields=["redeemed", "status"])
        package_event(
            package,
            action=BillingEvent.Action.UNREDEEMED,
            detail=_("%(what)s given back: %(reason)s")
            % {"what": _step_words(redemption.appointment), "reason": reason},
            by=by,
            now=now,
            ip=ip,
        )
    return redemption
