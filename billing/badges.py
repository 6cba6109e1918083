"""Money on treatments' pages, through treatments.hooks: the providers billing registers in
BillingConfig.ready(). Each answers for every id a page shows in a fixed number of queries:

- appointment: 1 query — given the appointments a page has read (patient, series, status:
  treatments.hooks.ShownAppointment), the billing rows that concern them: their patients'
  balances, their live redemptions (and their place in the package), a missed visit waiting for
  the desk, the live packages of their series. "Session 3 of 5 — package", "Package: 2 of 5
  used", "Balance due $40.00", a "Check out" link for a visit that was attended, and "No-show:
  fee, forfeit or waiver".
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

from django.db.models import BigIntegerField, CharField, Count, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from billing.models import Invoice, MissedVisit, Package, PackageRedemption
from billing.money import format_money
from clinic.compiled_sql import CompiledRead
from clinic.id_lists import among
from clinic.url_halves import url_halves
from treatments.hooks import BadgeLike, ShownAppointment, badge, register_badges, register_portal_links
from treatments.models import Appointment, TreatmentSeries

OWED = (Invoice.Status.ISSUED,)  # an issued invoice with a balance; paid and void ones owe nothing
LIVE_PACKAGE = (Package.Status.ACTIVE, Package.Status.USED)


def _link(name: str, *args: int) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page not mounted (e.g. a test URLconf)
        return ""


def balance_due_text(amount: int) -> str:
    return _("Balance due %(amount)s") % {"amount": format_money(amount)}


def _link_maker(name: str):
    """The URL of `name` for any id, reversed once (a busy day's cards each have one)."""
    try:
        before, after = url_halves(name)
    except NoReverseMatch:  # a page not mounted (e.g. a test URLconf)
        return lambda _pk: ""
    return lambda pk: f"{before}{pk}{after}"


def _facts_queryset(ids: Sequence[int], patients: Sequence[int], series: Sequence[int]):
    """One query for the appointments a page shows (their ids, their patients', their series'):
    the few billing rows that concern them -- an issued invoice with a balance of their patient, a
    live redemption (with its place in the package), a missed visit waiting for the desk, the live
    packages of their series. The page has read the appointments (hooks.ShownAppointment), so the
    ids travel as three lists and each part is a probe of a billing index: a day with hundreds of
    cards and little money costs a few probes."""
    number, text = BigIntegerField(), CharField()
    # typed: PostgreSQL gives the UNION's column the first branches' type, and a bare NULL is text
    none_n, none_t = Cast(Value(None), number), Cast(Value(None), text)
    # The redemption's place in its package: the live ones of the package up to its appointment's
    # start, that start read inside (a join in the outer query made PostgreSQL probe every card's
    # appointment before it looked for redemptions, usually none).
    redeemed_start = Appointment.objects.filter(pk=OuterRef(OuterRef("appointment_id"))).values("start")[:1]
    earlier = _live_redemptions(package_id=OuterRef("package_id"), appointment__start__lte=Subquery(redeemed_start))
    parts = [
        Invoice.objects.filter(among("patient_id", patients), status__in=OWED, balance__gt=0)
        .order_by()
        .values_list(Value("b", output_field=text), "patient_id", "balance", none_n, none_n, none_t),
        PackageRedemption.objects.filter(among("appointment_id", ids), reversed_at__isnull=True)
        .order_by()
        .values_list(
            Value("r", output_field=text),
            "appointment_id",
            "package_id",
            Subquery(earlier, output_field=number),
            Cast("package__sessions", number),  # its own package's, live or closed since
            Cast("kind", text),
        ),
        MissedVisit.objects.filter(among("appointment_id", ids), decision=MissedVisit.Decision.PENDING)
        .order_by()
        .values_list(Value("m", output_field=text), "appointment_id", "pk", none_n, none_n, Cast("reason", text)),
        Package.objects.filter(among("series_id", series), status__in=LIVE_PACKAGE)
        .order_by()
        .values_list(
            Value("p", output_field=text),
            "series_id",
            "pk",
            "sessions",
            Cast("redeemed", number),  # kept by the redemption services (Package.redeemed)
            Cast("sold_at", text),
        ),
    ]
    return parts[0].union(*parts[1:], all=True)


def _live_redemptions(**conditions: Any):
    """How many live (not given back) redemptions meet `conditions`, as a subquery."""
    return (
        PackageRedemption.objects.filter(reversed_at__isnull=True, **conditions)
        .order_by()
        .values("package_id")
        .annotate(n=Count("id"))
        .values("n")
    )


# Compiled once per database; each call passes the page's three id lists (clinic/compiled_sql.py).
# Every column is an id, a bigint (a typed NULL, a COUNT) or text: PostgreSQL's driver types them.
_FACTS = CompiledRead(_facts_queryset, driver_typed=True, ids=[-7001], patients=[-7002], series=[-7003])


def _facts(shown: Sequence[ShownAppointment]) -> list[tuple]:
    return _FACTS.rows(
        ids=[a.pk for a in shown],
        patients=[a.patient_id for a in shown],
        series=[a.series_id for a in shown if a.series_id is not None],
    )


def appointment_badges(shown: Sequence[ShownAppointment]) -> Mapping[int, Sequence[BadgeLike]]:
    """Registered with `shown=True`: the page's rows of its appointments (treatments.hooks)."""
    balances: dict[int, int] = {}
    redeemed: dict[int, tuple[int, int, str, int]] = {}  # appointment: package, place, kind, sessions
    missed: dict[int, tuple[int, str]] = {}  # appointment: missed visit, reason
    sold: dict[int, list[tuple[str, int, int, int]]] = {}  # series: (sold at, package, sessions, used)
    if not shown:
        return {}
    for kind, key, a, b, c, t in _facts(shown):
        if kind == "b":
            balances[key] = balances.get(key, 0) + a
        elif kind == "r":
            redeemed[key] = (a, b, t, c)
        elif kind == "m":
            missed[key] = (a, t)
        else:
            sold.setdefault(key, []).append((t, a, b, c))
    packages = {series: max(found) for series, found in sold.items()}  # the latest sale wins
    missed_link, checkout_link = _link_maker("billing:missed_visit"), _link_maker("billing:checkout")
    # A busy day's hundreds of cards share a few sentences and amounts: each translated or
    # formatted once per page, each badge made once (treatments.hooks.badge) and shared.
    forfeited, redeemed_words = (
        _("Session %(n)s of %(total)s forfeited — package"),
        _("Session %(n)s of %(total)s — package"),
    )
    package_words = _("Package: %(used)d of %(total)d used")
    no_show, late = _("No-show: fee, forfeit or waiver"), _("Late cancellation: fee, forfeit or waiver")
    check_out = _("Check out")
    balance_badges: dict[int, BadgeLike] = {}
    package_badges: dict[tuple[int, int], BadgeLike] = {}
    found: dict[int, list[BadgeLike]] = {}
    attended = (Appointment.Status.CHECKED_IN, Appointment.Status.COMPLETED)
    for pk, patient_id, series_id, status in shown:
        badges: list[BadgeLike] = []
        package = packages.get(series_id) if series_id else None
        if pk in redeemed:
            _package_id, place, how, sessions = redeemed[pk]
            words = {"n": place, "total": sessions}
            if how == PackageRedemption.Kind.FORFEITED:
                badges.append(badge(forfeited % words, tone="info"))
            else:
                badges.append(badge(redeemed_words % words, tone="success"))
        elif package is not None and status == Appointment.Status.BOOKED:
            used = (package[3], package[2])
            made = package_badges.get(used)
            if made is None:
                made = package_badges[used] = badge(package_words % {"used": used[0], "total": used[1]})
            badges.append(made)
        if pk in missed:
            missed_id, reason = missed[pk]
            label = no_show if reason == MissedVisit.Reason.NO_SHOW else late
            badges.append(badge(label, href=missed_link(missed_id), tone="warning"))
        balance = balances.get(patient_id, 0)
        if balance > 0:
            made = balance_badges.get(balance)
            if made is None:
                made = balance_badges[balance] = badge(balance_due_text(balance), tone="warning", scope="patient")
            badges.append(made)
        if status in attended:
            href = checkout_link(pk)
            if href:
                badges.append(badge(check_out, href=href))
        if badges:
            found[pk] = badges
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
    register_badges("appointment", appointment_badges, shown=True)
    register_badges("series", series_badges)
    register_badges("patient", patient_badges)
    register_badges("patient", estimate_badges)
    register_badges("patient", patient_links)
    register_portal_links(portal_account_link)
