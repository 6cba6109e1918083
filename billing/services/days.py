"""Business dates and the day's close.

A payment, refund, write-off or invoice posts to a location's business date: the clinic-local date
of `now`, or, when that date is already closed for the location, the next date that is not. A
closed date takes no posting at all. The close locks the location row (FOR NO KEY UPDATE, which
does not block rows that merely reference the location), and so does every posting, so a close and
a payment never interleave."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from billing.models import BillingEvent, DayClose, DayCloseLine
from billing.selectors.ledger import business_date_for, day_totals
from clinic.audit import audit_record
from clinic.localtime import day_text, local_date, moment_text
from clinic.models import AuditEntry, Location

from ._common import BillingError


def lock_location(location_id: int) -> Location:
    """Serialises postings and closes of one location (inside the caller's transaction)."""
    try:
        return Location.objects.select_for_update(no_key=True).get(pk=location_id)
    except Location.DoesNotExist:
        raise BillingError(_("That location does not exist.")) from None


def ensure_open(*, location_id: int, business_date: dt.date) -> None:
    """Refuse a posting into a closed day (a caller that names the date itself)."""
    if DayClose.objects.filter(location_id=location_id, business_date=business_date).exists():
        raise BillingError(
            _("The day %(date)s is closed at this location: nothing more can be posted to it.")
            % {"date": day_text(business_date)}
        )


def posting_date(*, location_id: int, now: dt.datetime, business_date: dt.date | None = None) -> dt.date:
    """The date a posting goes to, with the location already locked by the caller."""
    if business_date is None:
        return business_date_for(location_id=location_id, now=now)
    ensure_open(location_id=location_id, business_date=business_date)
    return business_date


def day_close(
    *,
    location_id: int,
    business_date: dt.date,
    counted: dict[str, int],
    note: str = "",
    by: User | None,
    now: dt.datetime,
    ip: str | None = None,
) -> DayClose:
    """Close a location's business date: store the expected and counted amount per method. A
    difference needs a note saying why. Closing twice, or a day not yet begun, is refused."""
    with transaction.atomic():
        lock_location(location_id)
        if business_date > local_date(now):
            raise BillingError(
                _("%(date)s has not begun yet: it cannot be closed.") % {"date": day_text(business_date)}
            )
        existing = DayClose.objects.filter(location_id=location_id, business_date=business_date).first()
        if existing is not None:
            raise BillingError(
                _("%(date)s is already closed at this location (closed %(at)s).")
                % {"date": day_text(business_date), "at": moment_text(existing.closed_at)}
            )
        totals = day_totals(location_id=location_id, business_date=business_date)
        differs = any(counted.get(t.method, 0) != t.expected for t in totals)
        if differs and not note.strip():
            raise BillingError(_("The counted amounts differ from the ledger: say why in the note before closing."))
        try:
            with transaction.atomic():
                close = DayClose.objects.create(
                    location_id=location_id, business_date=business_date, closed_at=now, closed_by=by, note=note.strip()
                )
        except IntegrityError:
            raise BillingError(_("%(date)s was closed by someone else just now.") % {"date": business_date}) from None
        DayCloseLine.objects.bulk_create(
            DayCloseLine(day_close=close, method=t.method, expected=t.expected, counted=counted.get(t.method, 0))
            for t in totals
        )
        BillingEvent.objects.create(
            action=BillingEvent.Action.DAY_CLOSED,
            amount=sum(t.expected for t in totals),
            detail=f"{business_date.isoformat()} closed",
            at=now,
            by=by,
        )
        audit_record(request=None, action=AuditEntry.Action.CREATE, obj=close, user=by, ip=ip)
    return close
