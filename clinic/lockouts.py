"""Sign-in lockouts the clinic admin should hear about. django-axes writes every failed login to its
failure log (`AXES_ENABLE_ACCESS_FAILURE_LOG`), marked when it fell in a lockout; the last day of
those is the notice on the admin's pages. A lockout falls on one username from one address, so an
account refused from several addresses, or again and again, is someone guessing its password."""

import datetime as dt
from dataclasses import dataclass

from axes.models import AccessFailureLog
from django.db.models import Count, Max

NOTICE_WINDOW = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Lockout:
    username: str
    refused: int  # failed logins that fell in a lockout
    addresses: int
    last_at: dt.datetime


def lockouts_recent(*, now: dt.datetime) -> list[Lockout]:
    """Accounts locked out in the last 24 hours, the latest first (one query)."""
    rows = (
        AccessFailureLog.objects.filter(locked_out=True, attempt_time__gte=now - NOTICE_WINDOW)
        .values("username")
        .annotate(refused=Count("id"), addresses=Count("ip_address", distinct=True), last_at=Max("attempt_time"))
        .order_by("-last_at")
    )
    return [
        Lockout(username=row["username"] or "?", **{k: row[k] for k in ("refused", "addresses", "last_at")})
        for row in rows
    ]
