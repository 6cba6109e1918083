"""Late cancellations and no-shows: recorded as waiting for the desk's choice (billing.receivers,
when treatments says what happened), then decided by a person — the policy's fee, one package
session forfeited, or a waiver with a reason. Nothing is charged without that choice."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from billing.models import BillingEvent, CancellationPolicy, Charge, Invoice, MissedVisit, Package
from billing.models.packages import PackageRedemption
from billing.money import format_money, half_up, line_amounts
from billing.selectors.fees import fee_for_type
from clinic.localtime import day_text, local_date
from clinic.models import AuditEntry
from treatments.models import Appointment

from ._common import BillingError, record
from .invoice_lines import invoice_add_line
from .invoices import visit_invoice_issue
from .packages import redemption_make

Reason = MissedVisit.Reason
Decision = MissedVisit.Decision


def policy_fee(policy: CancellationPolicy | None, *, appointment: Appointment) -> int:
    """The policy's fee for this visit, in minor units: a fixed amount, or a percentage of the
    type's visit fee on the day (gross), rounded half up; 0 without a policy or a fee."""
    if policy is None or policy.charge == Charge.NONE:
        return 0
    if policy.charge == Charge.FIXED:
        return int(policy.amount)
    fee = fee_for_type(appointment_type_id=appointment.appointment_type_id, day=local_date(appointment.start))
    if fee is None:
        return 0
    gross, _tax = line_amounts(
        unit_price=fee.unit_price, quantity=1, tax_rate_bp=fee.tax_rate_bp, tax_inclusive=fee.tax_inclusive
    )
    return half_up(gross * policy.percent_bp, 10_000)


def is_late(policy: CancellationPolicy | None, *, appointment: Appointment, cancelled_at: dt.datetime) -> bool:
    """A cancellation inside the policy's window before the start."""
    if policy is None:
        return False
    return appointment.start - cancelled_at < dt.timedelta(hours=policy.window_hours)


def missed_visit_record(*, appointment_id: int, reason: str, now: dt.datetime) -> MissedVisit | None:
    """Note a late cancellation or no-show for the desk to decide. Only when there is something to
    decide: the type has a fee policy, or the series has an active package (a session to
    forfeit). Recording twice returns the first."""
    if reason not in Reason.values:
        raise BillingError(_("Say whether it was a late cancellation or a no-show."))
    with transaction.atomic():
        appointment = Appointment.objects.select_related("appointment_type").filter(pk=appointment_id).first()
        if appointment is None:
            return None
        existing = MissedVisit.objects.filter(appointment_id=appointment_id).first()
        if existing is not None:
            return existing
        policy = CancellationPolicy.objects.filter(appointment_type_id=appointment.appointment_type_id).first()
        fee = policy_fee(policy, appointment=appointment)
        package = bool(
            appointment.series_id
            and Package.objects.filter(series_id=appointment.series_id, status=Package.Status.ACTIVE).exists()
        )
        if not fee and not package:
            return None
        try:
            with transaction.atomic():
                return MissedVisit.objects.create(appointment=appointment, reason=reason, fee=fee, recorded_at=now)
        except IntegrityError:
            return MissedVisit.objects.get(appointment_id=appointment_id)


def _fee_invoice(missed: MissedVisit, *, by: User | None, now: dt.datetime, ip: str | None) -> Invoice:
    appointment = missed.appointment
    label = _("No-show fee") if missed.reason == Reason.NO_SHOW else _("Late cancellation fee")
    return visit_invoice_issue(
        appointment=appointment,
        kind=Invoice.Kind.FEE,
        fill=lambda invoice: invoice_add_line(
            invoice_id=invoice.pk,
            version=None,
            description=_("%(label)s: visit of %(day)s")
            % {"label": label, "day": day_text(local_date(appointment.start))},
            unit_price=missed.fee,
            appointment_id=appointment.pk,
            by=by,
            now=now,
            ip=ip,
        ),
        by=by,
        now=now,
        ip=ip,
    )


def missed_visit_decide(
    *,
    missed_id: int,
    decision: str,
    waiver_reason: str = "",
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> MissedVisit:
    """The desk's choice for a late cancellation or no-show, once: "fee" issues the fee invoice,
    "forfeit" takes one session of the series' package, "waived" needs a reason. A second choice
    (another desk, a double click) is refused with what was chosen."""
    waiver_reason = waiver_reason.strip()
    if decision not in (Decision.FEE, Decision.FORFEIT, Decision.WAIVED):
        raise BillingError(_("Choose the fee, one package session, or a waiver."))
    if decision == Decision.WAIVED and not waiver_reason:
        raise BillingError(_("Give a reason for waiving the fee."))
    with transaction.atomic():
        missed = (
            MissedVisit.objects.select_for_update(of=("self",))
            .select_related("appointment")
            .filter(pk=missed_id)
            .first()
        )
        if missed is None:
            raise BillingError(_("That missed visit does not exist."))
        if missed.decision != Decision.PENDING:
            raise BillingError(
                _("This was already decided: %(decision)s.") % {"decision": missed.get_decision_display().lower()}
            )
        patient_id = missed.appointment.patient_id
        if decision == Decision.FEE:
            if missed.fee <= 0:
                raise BillingError(_("There is no fee for this visit's type: forfeit a session or waive it."))
            missed.invoice = _fee_invoice(missed, by=by, now=now, ip=ip)
        elif decision == Decision.FORFEIT:
            redemption = redemption_make(
                appointment_id=missed.appointment_id, kind=PackageRedemption.Kind.FORFEITED, by=by, now=now, ip=ip
            )
            if redemption is None:
                raise BillingError(_("This visit's series has no active package: charge the fee or waive it."))
            missed.redemption = redemption
        else:
            missed.waiver_reason = waiver_reason[:250]
            record(
                action=BillingEvent.Action.FEE_WAIVED,
                by=by,
                now=now,
                patient_id=patient_id,
                amount=missed.fee,
                detail=_("%(what)s of %(day)s, fee %(fee)s waived: %(reason)s")
                % {
                    "what": missed.get_reason_display(),
                    "day": day_text(local_date(missed.appointment.start)),
                    "fee": format_money(missed.fee),
                    "reason": waiver_reason,
                },
                audit=AuditEntry.Action.CHANGE,
                audited=missed.appointment,
                ip=ip,
            )
        missed.decision = decision
        missed.decided_at = now
        missed.decided_by = by
        missed.save(update_fields=["decision", "decided_at", "decided_by", "waiver_reason", "invoice", "redemption"])
    return missed
