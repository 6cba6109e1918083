"""Password guessing, bounded per account, without letting outsiders lock the staff out.

django-axes keeps its lockout of one username from one address (AXES_FAILURE_LIMIT failures, then
AXES_COOLOFF_MINUTES). This handler (AXES_HANDLER) adds, following OWASP's "device cookies" scheme
(Slow Down Online Guessing Attacks with Device Cookies):

- **Addresses are counted per network**: an IPv6 client is counted by its /64 (one household or
  one host's whole allocation), so hopping through the addresses of one /64 gains nothing.
- **Each account has an hourly budget** of failed guesses from untrusted clients, from every address
  together (SIGNIN_ACCOUNT_HOURLY_LIMIT, default 100): once used up, untrusted clients are refused
  without the password being checked until the oldest of those failures is an hour old. A guess
  takes its place in the budget *before* its password is checked (a row in the failure log, written
  under a lock on the account: `_budget_take`), so guesses sent all at once from many addresses
  cannot all pass the count together; the place is given back when the password was right.
- **A browser that has signed in as that person before is not locked out by others**: a successful
  sign-in leaves a device cookie (signed with SECRET_KEY, naming the username and a random nonce,
  HttpOnly). A request carrying a valid one for the username typed is judged on that device's own
  failures only (AXES_FAILURE_LIMIT within the cool-off), never on the address's or the account's:
  someone guessing from the guest Wi-Fi, or from a botnet, cannot lock the front desk's own browser.
  A stolen cookie buys an attacker AXES_FAILURE_LIMIT guesses per cool-off, no more.
- **A lockout's cool-off does not restart** on failures during it
  (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off): those are refused unchecked and not counted.

Every failure that was checked is in axes' failure log (AccessFailureLog), which is what the hourly
budget counts, so it holds across processes and restarts."""

import datetime as dt
import hashlib
import secrets

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessFailureLog
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .client_address import client_network

ACCOUNT_WINDOW = dt.timedelta(hours=1)
DEVICE_COOKIE_PREFIX = "prolo_device_"
DEVICE_SALT = "clinic.signin_guard.device"
DEVICE_DAYS = 180
# The request attribute naming the failure-log row that holds this guess's place in the budget.
BUDGET_PLACE = "prolo_budget_place"


def lockout_address(request: HttpRequest | None) -> str | None:
    """The client address as the lockouts count it (AXES_CLIENT_IP_CALLABLE): `client_network`, an
    IPv6 address as the first address of its /64."""
    return client_network(request)


def _cookie_name(username: str) -> str:
    return DEVICE_COOKIE_PREFIX + hashlib.sha256(username.lower().encode()).hexdigest()[:16]


def device_nonce(request: HttpRequest | None, username: str | None) -> str | None:
    """The nonce of a valid device cookie this browser holds for `username`, else None."""
    if request is None or not username:
        return None
    value = request.COOKIES.get(_cookie_name(username))
    if not value:
        return None
    try:
        data = signing.loads(value, salt=DEVICE_SALT, max_age=dt.timedelta(days=DEVICE_DAYS))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != username or not isinstance(data.get("n"), str):
        return None
    return data["n"]


def device_cookie_issue(response: HttpResponse, *, username: str) -> None:
    """After a successful sign-in: this browser is trusted for `username` from now on."""
    value = signing.dumps({"u": username, "n": secrets.token_urlsafe(16)}, salt=DEVICE_SALT)
    response.set_cookie(
        _cookie_name(username),
        value,
        max_age=DEVICE_DAYS * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _cool_off() -> dt.timedelta:
    return dt.timedelta(hours=settings.AXES_COOLOFF_TIME)


def _device_key(nonce: str) -> str:
    return f"signin-device:{nonce}"


def _device_failures(nonce: str) -> int:
    return int(cache.get(_device_key(nonce)) or 0)


def account_failures(username: str, *, now: dt.datetime) -> list[dt.datetime]:
    """When the account's checked failed sign-ins of the last hour happened, oldest first."""
    return list(
        AccessFailureLog.objects.filter(username=username, attempt_time__gt=now - ACCOUNT_WINDOW)
        .order_by("attempt_time")
        .values_list("attempt_time", flat=True)
    )


def retry_after(request: HttpRequest, username: str | None, *, now: dt.datetime) -> dt.timedelta:
    """At most how long until this client may try `username` again: the cool-off of a lockout of
    its address or device, or, when the account's hourly budget refused it, until the oldest
    failure in that budget is an hour old (whichever is later)."""
    if not username or device_nonce(request, username) is not None:
        return _cool_off()
    wait = _cool_off() if AxesDatabaseHandler().is_locked(request, {"username": username}) else dt.timedelta(0)
    failures = account_failures(username, now=now)
    budget = settings.SIGNIN_ACCOUNT_HOURLY_LIMIT
    if len(failures) >= budget:
        wait = max(wait, failures[len(failures) - budget] + ACCOUNT_WINDOW - now)
    return max(wait, dt.timedelta(minutes=1))


def _account_lock(username: str) -> None:
    """Serialise the budget's count-and-take for one account. PostgreSQL: a transaction-level
    advisory lock on the username's hash; SQLite: its IMMEDIATE transactions already serialise
    every writer."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(b"signin-budget:" + username.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _budget_take(request: HttpRequest, username: str) -> bool:
    """Take a place in the account's hourly budget for this guess, before its password is checked;
    False when the budget is spent. The place is a row of the failure log, so it counts at once for
    every other process; `budget_place_return` removes it when the guess was not a failure."""
    if getattr(request, BUDGET_PLACE, None) is not None:
        return True  # this request's guess already holds one
    now = timezone.now()
    with transaction.atomic():
        _account_lock(username)
        if len(account_failures(username, now=now)) >= settings.SIGNIN_ACCOUNT_HOURLY_LIMIT:
            return False
        place = AccessFailureLog.objects.create(
            username=username,
            ip_address=getattr(request, "axes_ip_address", None),
            user_agent=getattr(request, "axes_user_agent", "")[:255],
            http_accept=getattr(request, "axes_http_accept", "")[:1025],
            path_info=getattr(request, "axes_path_info", "")[:255],
            attempt_time=now,
            locked_out=False,
        )
    setattr(request, BUDGET_PLACE, place.pk)
    return True


def budget_place_return(request: HttpRequest | None) -> None:
    """The guess was settled (a right password, or its failure logged by axes): its place goes."""
    pk = getattr(request, BUDGET_PLACE, None)
    if pk is not None:
        AccessFailureLog.objects.filter(pk=pk).delete()
        setattr(request, BUDGET_PLACE, None)


class GuardedAxesHandler(AxesDatabaseHandler):
    """AXES_HANDLER: axes' database handler with the account budget and the device cookies."""

    def is_locked(self, request, credentials=None) -> bool:
        username = get_client_username(request, credentials)
        nonce = device_nonce(request, username)
        if nonce is not None:
            return _device_failures(nonce) >= settings.AXES_FAILURE_LIMIT
        if super().is_locked(request, credentials):
            return True
        if not username:
            return False
        return not _budget_take(request, username)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        username = get_client_username(request, credentials) if request is not None else None
        nonce = device_nonce(request, username)
        if nonce is None:
            try:
                return super().user_login_failed(sender, credentials, request=request, **kwargs)
            finally:
                budget_place_return(request)  # axes logged the failure itself (or it was refused)
        if getattr(request, "axes_locked_out", False):
            return None  # refused unchecked: not a guess, and the device's cool-off does not restart
        # A trusted browser: the failure counts against this device (and in the failure log, so
        # against the account's hourly budget), never against the address others share.
        key = _device_key(nonce)
        cache.add(key, 0, timeout=int(_cool_off().total_seconds()))
        try:
            failures = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=int(_cool_off().total_seconds()))
            failures = 1
        locked = failures >= settings.AXES_FAILURE_LIMIT
        if locked:
            request.axes_locked_out = True
            request.axes_credentials = credentials
        AccessFailureLog.objects.create(
            username=username,
            ip_address=request.axes_ip_address,
            user_agent=request.axes_user_agent,
            http_accept=request.axes_http_accept,
            path_info=request.axes_path_info,
            attempt_time=request.axes_attempt_time,
            locked_out=locked,
        )
        return None

    def user_logged_in(self, sender, request, user, **kwargs):
        budget_place_return(request)
        nonce = device_nonce(request, user.get_username())
        if nonce is not None:
            cache.delete(_device_key(nonce))
        return super().user_logged_in(sender, request, user, **kwargs)
