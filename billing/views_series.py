"""The desk's money pages tied to a series: selling its package, the package (sessions used, a
session given back, closing it early with the refund's arithmetic on screen), and the choice after
a late cancellation or no-show. Thin: parse with a form, call a service, render."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from billing.access_series import missed_visit_for, package_for, redemption_for
from billing.forms_series import AttemptForm, MissedVisitForm, ReasonForm, ReverseForm
from billing.models import MissedVisit, Package, RefundRule, SavedCard
from billing.money import format_money
from billing.selectors.packages import PackageOffer, package_offer, package_page
from billing.selectors.refunds import refund_offers
from billing.services._common import BillingError
from billing.services.cards import missed_visit_charge_card
from billing.services.missed import missed_visit_decide
from billing.services.package_ends import package_close as close_service
from billing.services.packages import package_sell as sell_service
from billing.services.packages import redemption_reverse as reverse_service
from clinic import roles
from clinic.audit import audit_record
from clinic.client_address import client_ip
from clinic.localtime import local_date
from clinic.models import AuditEntry
from clinic.roles import desk_required
from treatments.scheduling.access import series_for


def _client_ip(request: HttpRequest) -> str | None:
    return client_ip(request)


def _staff(request: HttpRequest) -> User:
    """The signed-in staff member (the role decorators let no one else in)."""
    assert isinstance(request.user, User)
    return request.user


@desk_required
@require_http_methods(["GET", "POST"])
def package_sell(request: HttpRequest, series_id: int) -> HttpResponse:
    series = series_for(request.user, series_id)
    now = timezone.now()
    offer = package_offer(series, today=local_date(now))
    form = AttemptForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if not form.is_valid():
            error = _("The form was out of date: look at the figures again and confirm.")
        else:
            try:
                package = sell_service(
                    series_id=series.pk,
                    attempt_key=form.cleaned_data["attempt_key"],
                    by=_staff(request),
                    now=now,
                    ip=_client_ip(request),
                )
            except BillingError as refusal:
                error = str(refusal)
            else:
                messages.success(
                    request,
                    _("Package sold: %(invoice)s for %(amount)s.")
                    % {"invoice": package.invoice.display_number, "amount": format_money(package.invoice.total)},
                )
                return redirect("billing:package", pk=package.pk)
        form = AttemptForm()  # a fresh key for the next try
    context = {"series": series, "offer": offer, "form": form, "error": error, "money": _offer_money(offer)}
    return render(request, "billing/package_sell.html", context, status=400 if error else 200)


def _offer_money(offer: PackageOffer) -> dict[str, str]:
    return {
        "price": format_money(offer.price),
        "single": format_money(offer.single_visit_price),
        "deposit": format_money(offer.deposit.total) if offer.deposit else "",
        "to_invoice": format_money(offer.to_invoice),
        "saving": format_money(offer.saving) if offer.saving > 0 else "",
    }


def _render_package(request: HttpRequest, package: Package, *, status: int = 200, **extra: object) -> HttpResponse:
    page = package_page(package)
    figures = page.figures
    context = {
        "package": package,
        "page": page,
        "money": {
            "price": format_money(package.price),
            "single": format_money(package.single_visit_price),
            "paid": format_money(figures.paid),
            "used": format_money(figures.used),
            "refund": format_money(figures.amount),
            "credit": format_money(figures.credit),
            "closed_refund": format_money(package.refund_amount),
        },
        "rule_label": RefundRule(figures.rule).label,
        "close_form": extra.get("close_form") or ReasonForm(),
        "reverse_form": ReverseForm(),
        "is_admin": roles.has_role(request.user, roles.CLINIC_ADMIN),
        "error": extra.get("error", ""),
        # What the closed package owes back, by the payment each part can be refunded from.
        "refund_offers": refund_offers([i for i in (package.invoice, package.deposit_invoice) if i is not None])
        if package.status == Package.Status.CLOSED
        else [],
    }
    return render(request, "billing/package.html", context, status=status)


@desk_required
def package_detail(request: HttpRequest, pk: int) -> HttpResponse:
    package = package_for(request.user, pk)
    audit_record(request=request, action=AuditEntry.Action.VIEW, obj=package, patient_id=package.patient_id)
    return _render_package(request, package)


@desk_required
@require_POST
def package_close(request: HttpRequest, pk: int) -> HttpResponse:
    package = package_for(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _render_package(
            request, package, status=400, close_form=form, error=_("Give a reason for closing the package.")
        )
    try:
        closed = close_service(
            package_id=package.pk,
            reason=form.cleaned_data["reason"],
            attempt_key=form.cleaned_data["attempt_key"],
            by=_staff(request),
            now=timezone.now(),
            ip=_client_ip(request),
        )
    except BillingError as refusal:
        return _render_package(request, package, status=400, close_form=form, error=str(refusal))
    if closed.credit_note is not None:
        messages.success(
            request,
            _("Package closed: credit note %(note)s issued. Refund %(amount)s against the payment on the invoice.")
            % {"note": closed.credit_note.display_number, "amount": format_money(closed.refund_amount)},
        )
    else:
        messages.success(request, _("Package closed: nothing to credit."))
    return redirect("billing:package", pk=package.pk)


@desk_required
@require_POST
def redemption_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    redemption = redemption_for(request.user, pk)
    package = package_for(request.user, redemption.package_id)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        return _render_package(request, package, status=400, error=_("Say why the session goes back to the package."))
    try:
        reverse_service(
            redemption_id=redemption.pk,
            reason=form.cleaned_data["reason"],
            by=_staff(request),
            now=timezone.now(),
            ip=_client_ip(request),
        )
    except BillingError as refusal:
        return _render_package(request, package, status=400, error=str(refusal))
    messages.success(request, _("The session went back to the package."))
    return redirect("billing:package", pk=package.pk)


@desk_required
@require_http_methods(["GET", "POST"])
def missed_visit(request: HttpRequest, pk: int) -> HttpResponse:
    missed = missed_visit_for(request.user, pk)
    appointment = missed.appointment
    charge_card = request.method == "POST" and "charge_card" in request.POST
    form = MissedVisitForm(None if charge_card else request.POST or None)
    error = ""
    if request.method == "POST":
        if charge_card or form.is_valid():
            try:
                if charge_card:
                    # "Charge the card on file": a person chose it; a decline leaves the fee owed and says so.
                    missed_visit_charge_card(
                        missed_id=missed.pk,
                        attempt_key=_attempt_key(request.POST.get("attempt_key", "")),
                        by=_staff(request),
                        now=timezone.now(),
                        ip=_client_ip(request),
                    )
                    done = _("The card on file was charged; the receipt is on its way.")
                else:
                    missed_visit_decide(
                        missed_id=missed.pk,
                        decision=form.cleaned_data["decision"],
                        waiver_reason=form.cleaned_data["waiver_reason"],
                        by=_staff(request),
                        now=timezone.now(),
                        ip=_client_ip(request),
                    )
                    done = _("Recorded.")
            except BillingError as refusal:
                error = str(refusal)
            else:
                messages.success(request, done)
                return redirect("billing:missed_visit", pk=missed.pk)
        else:
            # What is wrong is said where it is (the choice, the reason): the summary says only
            # that nothing was recorded, so no sentence shows twice.
            error = _("Nothing was recorded: see what is marked below.")
        missed.refresh_from_db()
    has_package = bool(
        appointment.series_id
        and Package.objects.filter(series_id=appointment.series_id, status=Package.Status.ACTIVE).exists()
    )
    audit_record(request=request, action=AuditEntry.Action.VIEW, obj=missed, patient_id=appointment.patient_id)
    context = {
        "missed": missed,
        "appointment": appointment,
        "form": form,
        "error": error,
        "fee": format_money(missed.fee),
        "has_package": has_package,
        "pending": missed.decision == MissedVisit.Decision.PENDING,
        "card_on_file": SavedCard.objects.filter(patient_id=appointment.patient_id).exists(),
        "fee_owed": missed.invoice is not None and missed.invoice.status == "issued" and missed.invoice.balance > 0,
        "attempt_key": uuid.uuid4(),
    }
    return render(request, "billing/missed_visit.html", context, status=400 if error else 200)


def _attempt_key(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise BillingError(_("The form was incomplete. Please try again.")) from None
