"""How a series package ends: closed early (its series discontinued, the patient leaving) with the
clinic's refund rule credited line by line on its invoices, or expired at its date, the patient told
beforehand through the outbox. Locked and recorded as every package write is (packages.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import dateformat
from django.utils.translation import gettext as _

from billing.models import BillingEvent, BillingPolicy, Invoice, Package
from billing.selectors.packages import live_redemptions, package_invoices, package_refund
from clinic.localtime import day_text, local_date
from notifications.models import Message
from notifications.services import Planned, messages_plan

from ._common import BillingError, require_desk
from .credit_notes import CreditLine, credit_note_write
from .packages import lock_package, package_event


def package_close(
    *,
    package_id: int,
    reason: str,
    attempt_key: uuid.UUID,
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> Package:
    """Close a package early (its series discontinued, the patient leaving): the clinic's rule gives
    the figures, a credit note carries them line by line onto the package invoice, and what was
    paid above the sessions given is then owed back (refunded against the payment on the invoice
    page). The desk's as well as the clinic admin's: the credit follows the clinic's stated rule,
    nobody chooses its amount; the refund of the money stays the clinic admin's (refund_issue)."""
    require_desk(by, _("close a package and credit it"))
    reason = reason.strip()
    if not reason:
        raise BillingError(_("Give a reason for closing the package."))
    with transaction.atomic():
        package = lock_package(package_id)
        if package.credit_note is not None and package.credit_note.attempt_key == attempt_key:
            return package  # the same click again
        if package.status not in (Package.Status.ACTIVE, Package.Status.USED):
            raise BillingError(
                _("This package is %(status)s: it cannot be closed again.")
                % {"status": package.get_status_display().lower()}
            )
        figures = package_refund(package)
        note = None
        # The credit comes off the package invoice first, then the deposit's (when fewer sessions
        # were given than the deposit paid for). A credit line needs an amount above zero: the
        # line carries the credit, its description the arithmetic that gives it.
        left = figures.credit
        words = " · ".join(figures.lines())[:250]
        for n, invoice_id in enumerate(package_invoices(package)):
            if left <= 0:
                break
            part = min(left, Invoice.objects.values_list("total", flat=True).get(pk=invoice_id))
            if part <= 0:
                continue
            issued = credit_note_write(
                invoice_id=invoice_id,
                version=None,
                lines=[CreditLine(description=words, amount=part)],
                reason=_("Package closed early: %(reason)s") % {"reason": reason},
                attempt_key=attempt_key if n == 0 else uuid.uuid5(attempt_key, "deposit"),
                by=by,
                now=now,
                ip=ip,
            )
            note = note or issued
            left -= part
        package.status = Package.Status.CLOSED
        package.closed_at = now
        package.closed_reason = reason[:250]
        package.refund_rule = figures.rule
        package.refund_amount = figures.amount
        package.credit_note = note
        package.save(
            update_fields=["status", "closed_at", "closed_reason", "refund_rule", "refund_amount", "credit_note"]
        )
        package_event(
            package,
            action=BillingEvent.Action.PACKAGE_CLOSED,
            amount=figures.amount,
            detail=" · ".join(figures.lines()),
            by=by,
            now=now,
            ip=ip,
        )
    return package


@dataclass(frozen=True)
class ExpirySweep:
    told: int
    expired: int


EXPIRY_KIND = Message.Kind.PACKAGE_EXPIRY


def packages_expiry_sweep(*, now: dt.datetime) -> ExpirySweep:
    """Tell each patient once, through the outbox, that their package's sessions left expire soon
    (the policy's notice days before), and expire the packages whose date has passed (the
    sessions left are forfeited and leave the clinic's liability). Safe to run at any time, and
    twice: a package told is never told again, an expired one never changes again."""
    policy = BillingPolicy.current()
    today = local_date(now)
    told = expired = 0
    due = (
        Package.objects.filter(
            status=Package.Status.ACTIVE,
            expiry_notice_at__isnull=True,
            expires_on__gte=today,
            expires_on__lte=today + dt.timedelta(days=policy.expiry_notice_days),
        )
        .select_related("patient")
        .order_by("id")
    )
    for candidate in due:
        with transaction.atomic():
            package = lock_package(candidate.pk)
            if package.status != Package.Status.ACTIVE or package.expiry_notice_at is not None:
                continue
            left = package.sessions - live_redemptions(package)
            if left > 0 and package.expires_on is not None:
                messages_plan(
                    patient=candidate.patient,
                    wanted=[
                        Planned(
                            key=f"pkg:{package.pk}:expiry",
                            kind=EXPIRY_KIND,
                            send_at=now,
                            series_id=package.series_id,
                            data={
                                "package_id": package.pk,
                                "sessions_left": left,
                                "expires_on": dateformat.format(package.expires_on, "j F Y"),
                            },
                        )
                    ],
                    now=now,
                )
                package_event(
                    package,
                    action=BillingEvent.Action.EXPIRY_NOTICE,
                    detail=_("%(n)d sessions left, expiring %(day)s")
                    % {"n": left, "day": day_text(package.expires_on)},
                    by=None,
                    now=now,
                )
                told += 1
            package.expiry_notice_at = now
            package.save(update_fields=["expiry_notice_at"])
    for candidate in Package.objects.filter(status=Package.Status.ACTIVE, expires_on__lt=today).order_by("id"):
        with transaction.atomic():
            package = lock_package(candidate.pk)
            if package.status != Package.Status.ACTIVE:
                continue
            left = package.sessions - live_redemptions(package)
            package.status = Package.Status.EXPIRED
            package.save(update_fields=["status"])
            package_event(
                package,
                action=BillingEvent.Action.PACKAGE_EXPIRED,
                detail=_("%(n)d sessions left unused") % {"n": left},
                by=None,
                now=now,
            )
            expired += 1
    return ExpirySweep(told=told, expired=expired)
