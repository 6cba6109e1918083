"""Reads for the package pages, each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum

from billing.models import Allocation, BillingPolicy, Fee, Invoice, Package, PackageRedemption, Refund
from billing.money import line_amounts, price_less_deposit
from billing.package_rules import PackageRefund
from billing.selectors.fees import fee_on, fees_for_protocols, visit_fees
from treatments.models import TreatmentSeries


def deposit_to_apply(series_id: int) -> Invoice | None:
    """The series' issued deposit invoice not yet applied to a package."""
    return deposits_to_apply({series_id}).get(series_id)


def deposits_to_apply(series_ids: set[int]) -> dict[int, Invoice]:
    """deposit_to_apply for several series, one query."""
    found: dict[int, Invoice] = {}
    for invoice in Invoice.objects.filter(
        series_id__in=series_ids,
        kind=Invoice.Kind.DEPOSIT,
        status__in=(Invoice.Status.ISSUED, Invoice.Status.PAID),
        deposit_applied_to__isnull=True,
        package__isnull=True,  # a full prepayment is its package's own invoice
    ).order_by("id"):
        found.setdefault(invoice.series_id or 0, invoice)
    return found


def live_redemptions(package: Package) -> int:
    return package.redemptions.filter(reversed_at__isnull=True).count()


def package_invoices(package: Package) -> list[int]:
    """The package's invoice, then its deposit's."""
    return [i for i in (package.invoice_id, package.deposit_invoice_id) if i is not None]


def package_paid(package: Package) -> int:
    """Money in for the package: allocations to its invoice (and its deposit's) less refunds taken
    back from them."""
    ids = package_invoices(package)
    allocated = Allocation.objects.filter(invoice_id__in=ids).aggregate(s=Sum("amount"))["s"] or 0
    refunded = Refund.objects.filter(invoice_id__in=ids).aggregate(s=Sum("amount"))["s"] or 0
    return int(allocated - refunded)


def package_refund(package: Package, *, rule: str | None = None) -> PackageRefund:
    """The figures of closing the package now, under the clinic's rule (or `rule`)."""
    return PackageRefund(
        rule=rule or package.refund_rule or BillingPolicy.current().refund_rule,
        sessions=package.sessions,
        redeemed=live_redemptions(package),
        price=package.price,
        single_visit_price=package.single_visit_price,
        paid=package_paid(package),
    )


@dataclass(frozen=True)
class PackageOffer:
    """What the desk is about to sell: the protocol's package fee today and the single-visit price
    stated beside it; a deposit already invoiced comes off. `problem` says why it cannot be sold."""

    fee: Fee | None
    price: int
    single_visit_price: int
    deposit: Invoice | None
    problem: str = ""

    @property
    def to_invoice(self) -> int:
        """What the sale's invoice will total: the package's price, or its line less the deposit
        (package_sell's `line_less_deposit`, the same rule)."""
        if self.fee is None or self.deposit is None:
            return self.price
        unit_price = price_less_deposit(
            unit_price=self.fee.unit_price,
            tax_rate_bp=self.fee.tax_rate_bp,
            tax_inclusive=self.fee.tax_inclusive,
            deposit=self.deposit.total,
        )
        return line_amounts(
            unit_price=max(unit_price, 0),
            quantity=1,
            tax_rate_bp=self.fee.tax_rate_bp,
            tax_inclusive=self.fee.tax_inclusive,
        )[0]

    @property
    def saving(self) -> int:
        return self.single_visit_price * (self.fee.package_sessions or 0) - self.price if self.fee else 0


def _gross(fee: Fee | None) -> int:
    if fee is None:
        return 0
    return line_amounts(
        unit_price=fee.unit_price, quantity=1, tax_rate_bp=fee.tax_rate_bp, tax_inclusive=fee.tax_inclusive
    )[0]


def package_offer(series: TreatmentSeries, *, today: dt.date) -> PackageOffer:
    """Four queries: the package fee, the visit fee, an active package, the deposit."""
    return package_offers([series], today=today)[series.pk]


def package_offers(series_list: list[TreatmentSeries], *, today: dt.date) -> dict[int, PackageOffer]:
    """What each series' package would sell for today (the desk's "Sell the package", the portal's
    "Buy the package"), in four queries whatever the number of series (their protocols read)."""
    from django.utils.translation import gettext as _

    ids = {s.pk for s in series_list}
    fees = fees_for_protocols({s.protocol_id for s in series_list}, day=today)
    visits = visit_fees({s.protocol.appointment_type_id for s in series_list})
    active = set(
        Package.objects.filter(series_id__in=ids, status=Package.Status.ACTIVE).values_list("series_id", flat=True)
    )
    deposits = deposits_to_apply(ids)
    offers = {}
    for series in series_list:
        fee = fees.get(series.protocol_id)
        visit = fee_on(visits, appointment_type_id=series.protocol.appointment_type_id, day=today)
        problem = ""
        if series.pk in active:
            problem = _("This series already has an active package.")
        elif series.status != TreatmentSeries.Status.ACTIVE:
            problem = _("Only an active series can be sold as a package.")
        elif fee is None or not fee.package_sessions:
            problem = _("The fee schedule has no package price for this protocol today.")
        elif visit is None:
            problem = _("The fee schedule has no single-visit price for this protocol's sessions today: add it first.")
        offers[series.pk] = PackageOffer(fee, _gross(fee), _gross(visit), deposits.get(series.pk), problem)
    return offers


@dataclass(frozen=True)
class PackagePage:
    package: Package
    redemptions: list[PackageRedemption]
    used: int
    figures: PackageRefund
    can_close: bool


def package_page(package: Package) -> PackagePage:
    """Four queries besides the package: its redemptions with their appointments, the count used,
    what was paid (allocations, refunds) and the clinic's rule."""
    redemptions = list(
        package.redemptions.select_related("appointment", "by", "reversed_by").order_by("appointment__start", "id")
    )
    used = sum(1 for r in redemptions if r.reversed_at is None)
    figures = package_refund(package)
    return PackagePage(
        package=package,
        redemptions=redemptions,
        used=used,
        figures=figures,
        can_close=package.status in (Package.Status.ACTIVE, Package.Status.USED),
    )


@dataclass(frozen=True)
class PackageCover:
    """What the series' package says about one visit, for its check-out: the words, and whether
    the package pays for it (a session given from it: nothing to invoice for the visit)."""

    text: str
    covered: bool
    package_id: int


def package_cover(appointment_id: int) -> PackageCover | None:
    """Two queries: the visit's live redemption (with its place in the package), else the series'
    active package. None when the visit's series has no package."""
    from django.utils.translation import gettext as _

    redemption = (
        PackageRedemption.objects.filter(appointment_id=appointment_id, reversed_at__isnull=True)
        .select_related("package", "appointment")
        .first()
    )
    if redemption is not None:
        sold = redemption.package
        place = sold.redemptions.filter(
            reversed_at__isnull=True, appointment__start__lte=redemption.appointment.start
        ).count()
        words = {"n": place, "total": sold.sessions}
        if redemption.kind == PackageRedemption.Kind.FORFEITED:
            return PackageCover(_("Session %(n)d of %(total)d forfeited — package") % words, False, sold.pk)
        text = _("Session %(n)d of %(total)d — package: the package pays for this visit") % words
        return PackageCover(text, True, sold.pk)
    series_id = TreatmentSeries.objects.filter(appointments__pk=appointment_id).values_list("pk", flat=True).first()
    active = Package.objects.filter(series_id=series_id, status=Package.Status.ACTIVE).first() if series_id else None
    if active is None:
        return None
    used = live_redemptions(active)
    return PackageCover(
        _("Package: %(used)d of %(total)d used") % {"used": used, "total": active.sessions}, False, active.pk
    )
