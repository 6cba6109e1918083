"""Secrets handed out once — a patient's portal link, a practitioner's calendar feed. The raw token
goes to its owner and is never stored: only its SHA-256 is, so a database leak reveals no working
link. One module, so both kinds are made, hashed and checked alike."""

import hashlib
import secrets

# Longer than any token this module makes: a longer value is refused before it is hashed.
MAX_LENGTH = 100


def token_new() -> str:
    return secrets.token_urlsafe(32)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_plausible(raw: str) -> bool:
    """Whether a value from a URL is worth looking up at all."""
    return bool(raw) and len(raw) <= MAX_LENGTH
