"""Secure patient links: a random token is handed out once; only its SHA-256 is stored, so a
database leak reveals no working link. Wrong, expired and revoked tokens all look the same."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings

from clinic.models import ClinicSettings

from .models import Patient, PortalToken


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def portal_token_issue(*, patient: Patient, now: dt.datetime, days: int | None = None) -> str:
    """Create a new link for the patient and return the raw token (never stored)."""
    raw = secrets.token_urlsafe(32)
    valid_days = days if days is not None else ClinicSettings.load().portal_link_days
    PortalToken.objects.create(
        patient=patient, token_hash=token_hash(raw), created_at=now, expires_at=now + dt.timedelta(days=valid_days)
    )
    return raw


def portal_url(raw: str) -> str:
    return f"{settings.SITE_URL}/portal/{raw}/"


def portal_token_resolve(*, raw: str, now: dt.datetime) -> PortalToken | None:
    """The live token for a raw value, or None: unknown, expired and revoked are the same."""
    if not raw or len(raw) > 100:
        return None
    token = (
        PortalToken.objects.select_related("patient")
        .filter(token_hash=token_hash(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    return token


def portal_tokens_revoke(*, patient: Patient, now: dt.datetime) -> int:
    return PortalToken.objects.filter(patient=patient, revoked_at__isnull=True).update(revoked_at=now)
