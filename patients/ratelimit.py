"""Fixed-window counters in Django's cache (Redis in production, local memory in tests): enough to
slow down spam and token guessing without a table of its own."""

from django.core.cache import cache


def _key(scope: str, ident: str) -> str:
    return f"prolo:rl:{scope}:{ident}"


def ratelimit_hit(*, scope: str, ident: str, window_seconds: int) -> int:
    """Count one event and return how many there were in the current window."""
    key = _key(scope, ident)
    # add() only sets when missing, so the window starts at the first event and is not extended.
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        return 1


def ratelimit_count(*, scope: str, ident: str) -> int:
    return int(cache.get(_key(scope, ident), 0))
