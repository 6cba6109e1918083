"""Fixed-window counters in Django's cache (Redis in production, local memory in tests): enough to
slow down spam and token guessing without a table of its own.

When the cache cannot be reached (Redis stopped), the counters are skipped with a logged error
rather than failing the request: a Redis outage must not stop patients from booking, asking for a
consultation or opening their portal. Nothing the limits guard is at risk meanwhile — portal
tokens are 22 random characters, far beyond guessing in an outage's minutes — and spam is only
slowed, never the sole defence (the form's honeypot still works)."""

import logging

from django.core.cache import cache

log = logging.getLogger(__name__)


def _key(scope: str, ident: str) -> str:
    return f"prolo:rl:{scope}:{ident}"


def ratelimit_hit(*, scope: str, ident: str, window_seconds: int) -> int:
    """Count one event and return how many there were in the current window (0 when the cache
    cannot be reached)."""
    key = _key(scope, ident)
    try:
        # add() only sets when missing, so the window starts at the first event and is not extended.
        cache.add(key, 0, timeout=window_seconds)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window_seconds)
            return 1
    except Exception as exc:  # noqa: BLE001 (any cache backend's connection error: fail open, logged)
        _unreachable(scope, exc)
        return 0


def ratelimit_count(*, scope: str, ident: str) -> int:
    try:
        return int(cache.get(_key(scope, ident), 0))
    except Exception as exc:  # noqa: BLE001 (as above)
        _unreachable(scope, exc)
        return 0


def _unreachable(scope: str, exc: Exception) -> None:
    log.error("rate limit %s not counted, the cache is unreachable: %s", scope, type(exc).__name__)
