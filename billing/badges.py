"""Money on treatments' pages, through treatments.hooks: the providers billing registers in
BillingConfig.ready(). Each answers for every id a page shows in a fixed number of queries:

- appointment: 2 queries — the appointments with their patient's balance, their live redemption
  (and its place in the package) and a missed visit waiting for the desk, in one; the packages of
  their series in the other. "Session 3 of 5 — package", "Package: 2 of 5 used", "Balance due
  $40.00", a "Check out" link for a visit that was attended, and "No-show: fee, forfeit or waiver".
- series: 2 queries — the series' statuses and their packages: "Package: 3 of 5 used", the
  package page, "Sell the package" when there is none, and "Close the package" when the series
  was discontinued with one active.
- patient: 1 query — "Balance due $40.00" (a link to the patient's billing details, where the
  desk sends a reminder); no query — "Billing details"; 1 more — "Bills exceed the Good Faith Estimate by
  $450.00" (issue 23: the patient's dispute threshold is $400).

Texts name money and sessions only, never a diagnosis or body part."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import BigIntegerField, Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from billing.models import Invoice, MissedVisit, Package, PackageRedemption
from billing.money import format_money
from treatments.hooks import BadgeLike, register_badges, register_portal_links
from treatments.models import Appointment, TreatmentSeries

OWED = (Invoice.Status.ISSUED,)  # an issued invoice with a balance; paid and void ones owe nothing
LIVE_PACKAGE = (Package.Status.ACTIVE, Package.Status.USED)


def _link(name: str, *args: int) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page not mounted (e.g. a test URLconf)
        return ""


def _balance_of_patient(outer: str) -> Coalesce:
    owed = (
        Invoice.objects.filter(patient_id=OuterRef(outer), status__in=OWED, balance__gt=0)
        .order_by()
        .values("patient_id")
        .annotate(s=Sum("balance"))
        .values("s")
    )
    return Coalesce(Subquery(owed, output_field=BigIntegerField()), 0, output_field=BigIntegerField())


def balance_due_text(amount: int) -> str:
    return _("Balance due %(amount)s") % {"amount": format_money(amount)}


def appointment_badges(ids: Sequence[int]) -> Mapping[int, Sequence[BadgeLike]]:
    live = PackageRedemption.objects.filter(appointment_id=OuterRef("pk"), reversed_at__isnull=True)
    earlier = (
        PackageRedemption.objects.filter(
            package_id=OuterRef("package_id"),
            reversed_at__isnull=True,
            appointment__start__lte=OuterRef("appointment__start"),
        )
        .order_by()
        .values("package_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    place = live.annotate(n=Subquery(earlier, output_field=IntegerField())).values("n")[:1]
    pending = MissedVisit.objects.filter(appointment_id=OuterRef("pk"), decision=MissedVisit.Decision.PENDING)
    rows = list(
        Appointment.objects.filter(pk__in=ids)
        .annotate(
            balance=_balance_of_patient("patient_id"),
            redeemed_kind=Subquery(live.values("kind")[:1]),
            redeemed_package=Subquery(live.values("package_id")[:1]),
            redeemed_place=Subquery(place, output_field=IntegerField()),
            missed_id=Subquery(pending.values("pk")[:1]),
            missed_reason=Subquery(pending.values("reason")[:1]),
        )
        .values(
            "pk",
            "series_id",
            "status",
            "balance",
            "redeemed_kind",
            "redeemed_package",
            "redeemed_place",
            "missed_id",
            "missed_reason",
        )
    )
    series_ids = {r["series_id"] for r in rows if r["series_id"]}
    packages: dict[int, Any] = {}  # annotated with `used`
    if series_ids:
        for sold in (
            Package.objects.filter(series_id__in=series_ids, status__in=LIVE_PACKAGE)
            .annotate(used=Count("redemptions", filter=Q(redemptions__reversed_at__isnull=True)))
            .order_by("sold_at", "id")
        ):
            packages[sold.series_id] = sold
    found: dict[int, list[BadgeLike]] = {}
    attended = (Appointment.Status.CHECKED_IN, Appointment.Status.COMPLETED)
    for row in rows:
        badges: list[BadgeLike] = []
        package = packages.get(row["series_id"]) if row["series_id"] else None
        if row["redeemed_kind"]:
            total = package.sessions if package else None
            words = {"n": row["redeemed_place"], "total": total or "?"}
            if row["redeemed_kind"] == PackageRedemption.Kind.FORFEITED:
                badges.append({"text": _("Session %(n)s of %(total)s forfeited — package") % words, "tone": "info"})
            else:
                badges.append({"text": _("Session %(n)s of %(total)s — package") % words, "tone": "success"})
        elif package is not None and row["status"] == Appointment.Status.BOOKED:
            badges.append(_("Package: %(used)d of %(total)d used") % {"used": package.used, "total": package.sessions})
        if row["missed_id"]:
            label = (
                _("No-show: fee, forfeit or waiver")
                if row["missed_reason"] == MissedVisit.Reason.NO_SHOW
                else _("Late cancellation: fee, forfeit or waiver")
            )
            badges.append({"text": label, "href": _link("billing:missed_visit", row["missed_id"]), "tone": "warning"})
        if row["balance"] > 0:
            badges.append({"text": balance_due_text(row["balance"]), "tone": "warning", "scope": "patient"})
        if row["status"] in attended:
            href = _link("billing:checkout", row["pk"])
            if href:
                badges.append({"text": _("Check out"), "href": href})
        if badges:
            found[row["pk"]] = badges
    return found


def series_badges(ids: Sequence[int]) -> Mapping[int, Sequence[BadgeLike]]:
    packages: dict[int, Any] = {}  # annotated with `used`
    statuses = dict(TreatmentSeries.objects.filter(pk__in=ids).values_list("pk", "status"))
    for sold in (
        Package.objects.filter(series_id__in=ids)
        .annotate(used=Count("redemptions", filter=Q(redemptions__reversed_at__isnull=True)))
        .order_by("sold_at", "id")
    ):
        packages[sold.series_id] = sold  # the latest sale wins
    found: dict[int, list[BadgeLike]] = {}
    for series_id in ids:
        package = packages.get(series_id)
        status = statuses.get(series_id)
        if package is None:
            if status == TreatmentSeries.Status.ACTIVE:
                href = _link("billing:package_sell", series_id)
                if href:
                    found[series_id] = [{"text": _("Sell the package"), "href": href}]
            continue
        href = _link("billing:package", package.pk)
        words = {"used": package.used, "total": package.sessions}
        if package.status in LIVE_PACKAGE:
            badges: list[BadgeLike] = [{"text": _("Package: %(used)d of %(total)d used") % words, "href": href}]
            if status == TreatmentSeries.Status.DISCONTINUED:
                badges.append({"text": _("Series stopped: close the package"), "href": href, "tone": "warning"})
        else:
            badges = [
                {
                    "text": _("Package %(status)s: %(used)d of %(total)d used")
                    % {"status": package.get_status_display().lower(), **words},
                    "href": href,
                }
            ]
        found[series_id] = badges
    return found


def patient_badges(ids: Sequence[int]) -> Mapping[int, Sequence[BadgeLike]]:
    owed = (
        Invoice.objects.filter(patient_id__in=ids, status__in=OWED, balance__gt=0)
        .order_by()
        .values("patient_id")
        .annotate(s=Sum("balance"))
        .values_list("patient_id", "s")
    )
    return {
        patient_id: [
            {
                "text": balance_due_text(amount),
                "tone": "warning",
                "href": _link("billing:billing_details", patient_id),
            }
        ]
        for patient_id, amount in owed
    }


def patient_links(ids: Sequence[int]) -> Mapping[int, Sequence[BadgeLike]]:
    """No query: "Billing details" on the patient's page — the superbill's address and insurer, the
    balance reminder (billing/views/accounts.py)."""
    found: dict[int, list[BadgeLike]] = {}
    for patient_id in ids:
        href = _link("billing:billing_details", patient_id)
        if href:
            found[patient_id] = [{"text": _("Billing details"), "href": href}]
    return found


def estimate_badges(ids: Sequence[int]) -> Mapping[int, Sequence[BadgeLike]]:
    """1 query: a warning on the patient when a series' bills exceed its Good Faith Estimate by $400
    or more (the patient may dispute the bill)."""
    from billing.selectors.documents import estimates_exceeded

    found: dict[int, list[BadgeLike]] = {}
    for row in estimates_exceeded(patient_ids=list(ids)):
        found.setdefault(row.estimate.patient_id, []).append(
            {
                "text": _("Bills exceed the Good Faith Estimate by %(amount)s") % {"amount": format_money(row.over)},
                "href": _link("billing:estimate", row.estimate.pk),
                "tone": "warning",
            }
        )
    return found


def portal_account_link(token: str) -> list[dict[str, str]]:
    """The portal navigation's "Your account" (the money page), no query."""
    try:
        href = reverse("billing:portal_money", kwargs={"token": token})
    except NoReverseMatch:
        return []
    return [{"text": _("Your account"), "href": href}]


def register() -> None:
    register_badges("appointment", appointment_badges)
    register_badges("series", series_badges)
    register_badges("patient", patient_badges)
    register_badges("patient", estimate_badges)
    register_badges("patient", patient_links)
    register_portal_links(portal_account_link)
