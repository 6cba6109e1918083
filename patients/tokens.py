"""Secure patient links: a random token is handed out once; only its hash is stored
(clinic/tokens.py). Wrong, expired and revoked tokens all look the same."""

import datetime as dt

from django.conf import settings

from clinic.models import ClinicSettings
from clinic.tokens import token_hash, token_new, token_plausible

from .models import Patient, PortalToken


def portal_tokens_issue(*, patient_ids: set[int], now: dt.datetime, days: int | None = None) -> dict[int, str]:
    """A new link for each patient, in one insert; returns the raw tokens (never stored)."""
    valid = dt.timedelta(days=days if days is not None else ClinicSettings.load().portal_link_days)
    raw = {pid: token_new() for pid in patient_ids}
    PortalToken.objects.bulk_create(
        PortalToken(patient_id=pid, token_hash=token_hash(value), created_at=now, expires_at=now + valid)
        for pid, value in raw.items()
    )
    return raw


def portal_token_issue(*, patient: Patient, now: dt.datetime, days: int | None = None) -> str:
    """A new link for one patient; returns the raw token (never stored)."""
    return portal_tokens_issue(patient_ids={patient.pk}, now=now, days=days)[patient.pk]


def portal_url(raw: str) -> str:
    return f"{settings.SITE_URL}/portal/{raw}/"


def portal_token_resolve(*, raw: str, now: dt.datetime) -> PortalToken | None:
    """The live token for a raw value, or None: unknown, expired and revoked are the same."""
    if not token_plausible(raw):
        return None
    token = (
        PortalToken.objects.select_related("patient")
        .filter(token_hash=token_hash(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    return token


def portal_tokens_revoke(*, patient: Patient, now: dt.datetime) -> int:
    return PortalToken.objects.filter(patient=patient, revoked_at__isnull=True).update(revoked_at=now)
