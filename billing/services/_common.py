"""What every billing write shares: its errors, its history row + audit entry, and the role rule
for the clinic admin's writes."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.utils.translation import gettext as _

from billing.models import BillingEvent, Invoice, Payment
from clinic import roles
from clinic.audit import audit_record
from clinic.models import AuditEntry


class BillingError(Exception):
    """A write refused for a reason the desk can act on; `str(error)` is shown in the page."""


class StaleInvoice(BillingError):
    """The invoice changed between the page being shown and the form being sent."""

    def __init__(self, invoice: Invoice | None = None) -> None:
        label = invoice.display_number if invoice is not None and invoice.number else _("This invoice")
        super().__init__(
            _("%(label)s was changed by someone else while you were on this page. Reload it and try again.")
            % {"label": label}
        )


def require_desk(by: User | None, what: str) -> None:
    """A desk money write that needs no clinic admin (closing a package by the clinic's rule): the
    staff the desk's pages admit (front desk, practitioners, clinic admin)."""
    if by is None or not roles.has_role(by, roles.FRONT_DESK, roles.PRACTITIONER, roles.CLINIC_ADMIN):
        raise PermissionDenied(_("Only the clinic's staff may %(what)s.") % {"what": what})


def require_clinic_admin(by: User | None, what: str) -> None:
    """Voids, refunds, write-offs and credit notes are the clinic admin's (the views check too)."""
    if by is None or not roles.has_role(by, roles.CLINIC_ADMIN):
        raise PermissionDenied(_("Only the clinic admin may %(what)s.") % {"what": what})


def record(
    *,
    action: str,
    by: User | None,
    now: dt.datetime,
    patient_id: int,
    invoice: Invoice | None = None,
    payment: Payment | None = None,
    amount: int | None = None,
    detail: str = "",
    audit: str = AuditEntry.Action.CHANGE,
    audited: Model | None = None,  # the audit entry's object (billing.services.missed: the visit)
    ip: str | None = None,
) -> BillingEvent:
    """The invoice's (or payment's) history row and the clinic's audit entry for one money write.
    Details are plain words about money, never clinical text."""
    event = BillingEvent.objects.create(
        patient_id=patient_id,
        invoice=invoice,
        payment=payment,
        action=action,
        amount=amount,
        detail=detail[:300],
        at=now,
        by=by,
    )
    target = audited or invoice or payment
    audit_record(
        request=None,
        action=audit,
        obj=target,
        patient_id=patient_id,
        user=by,
        ip=ip,
    )
    return event


def versions_match(invoice: Invoice, version: int | None) -> None:
    """Optimistic lock: the form carries the version it showed; None = the caller has no page."""
    if version is not None and invoice.version != version:
        raise StaleInvoice(invoice)
