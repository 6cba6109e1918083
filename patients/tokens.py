"""Secure patient links. One live link per patient: the token is derived from a random seed and
SECRET_KEY, and only the seed and the token's hash are stored (clinic/tokens.py), so a database
leak alone opens nothing while every message can carry the same link until it nears expiry.
Wrong, expired and revoked tokens all look the same."""

import base64
import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from clinic.integrity import constraint_name
from clinic.models import ClinicSettings
from clinic.tokens import token_hash, token_plausible

from .models import Patient, PortalToken

# 128 bits: unguessable, and short enough (22 characters) for a two-segment text.
TOKEN_BYTES = 16
# A message must not carry a link that dies a few days after it arrives.
REUSE_MARGIN = dt.timedelta(days=14)
# PortalToken.Meta: at most one link per patient is not revoked.
ONE_LIVE = "portal_token_one_live_per_patient"


def _derive(seed: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"portal-link:{seed}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).rstrip(b"=").decode()


def _valid_for(days: int | None) -> dt.timedelta:
    return dt.timedelta(days=days if days is not None else ClinicSettings.load().portal_link_days)


def _issue(patient_ids: set[int], now: dt.datetime, valid: dt.timedelta, *, replace: bool = True) -> dict[int, str]:
    """New links for these patients; their older links stop working in the same transaction
    (`replace=False` when the caller knows none is left unrevoked, to spare the sweep a query).
    Raises IntegrityError (ONE_LIVE) when another writer gave one of them a link meanwhile."""
    seeds = {pid: secrets.token_hex(16) for pid in patient_ids}
    raw = {pid: _derive(seed) for pid, seed in seeds.items()}
    # A savepoint, so that the loser of a race can carry on in its caller's transaction.
    with transaction.atomic():
        if replace:
            PortalToken.objects.filter(patient_id__in=patient_ids, revoked_at__isnull=True).update(revoked_at=now)
        PortalToken.objects.bulk_create(
            PortalToken(
                patient_id=pid, seed=seeds[pid], token_hash=token_hash(raw[pid]), created_at=now, expires_at=now + valid
            )
            for pid in patient_ids
        )
    return raw


def portal_tokens_live(
    *, patient_ids: set[int], now: dt.datetime, days: int | None = None, retries: int = 4
) -> dict[int, str]:
    """Each patient's one live link: the one already out while it has more than REUSE_MARGIN to
    run, else a new one that replaces it. One query when every link is reused, two or three (and
    a savepoint) when some are new."""
    valid = _valid_for(days)
    margin = min(REUSE_MARGIN, valid / 2)
    found: dict[int, str] = {}
    stale = False
    # Expired links are read too: one not yet revoked must be revoked before its successor is written.
    rows = (
        PortalToken.objects.filter(patient_id__in=patient_ids, revoked_at__isnull=True)
        .order_by("patient_id", "-created_at")
        .values_list("patient_id", "seed", "expires_at")
    )
    for pid, seed, expires_at in rows:
        if pid not in found and seed and expires_at > now + margin:
            found[pid] = _derive(seed)
        else:
            stale = stale or pid not in found
    missing = set(patient_ids) - found.keys()
    if not missing:
        return found
    try:
        return found | _issue(missing, now, valid, replace=stale)
    except IntegrityError as exc:
        # Another sweep (or another lane of this one) gave one of these patients a link first:
        # theirs is committed, so reading again finds it (or, if it is revoked meanwhile, makes one
        # after it). Each retry follows a link someone else committed, so a few always settle
        # a batch of several patients raced by several lanes.
        if constraint_name(exc) != ONE_LIVE or retries <= 0:
            raise
        return portal_tokens_live(patient_ids=patient_ids, now=now, days=days, retries=retries - 1)


def portal_tokens_issue(*, patient_ids: set[int], now: dt.datetime, days: int | None = None) -> dict[int, str]:
    """A fresh link for each patient, revoking the ones before it; returns the raw tokens."""
    valid = _valid_for(days)
    with transaction.atomic():
        # Fresh links for one patient queue on the patient's row, so each revokes the one before
        # it (the unique constraint would otherwise refuse all but the first of them).
        list(Patient.objects.select_for_update().filter(pk__in=patient_ids).values_list("pk", flat=True))
        return _issue(set(patient_ids), now, valid)


def portal_token_issue(*, patient: Patient, now: dt.datetime, days: int | None = None) -> str:
    """A fresh link for one patient (the desk's "send a new link"); the old one 404s at once."""
    return portal_tokens_issue(patient_ids={patient.pk}, now=now, days=days)[patient.pk]


def portal_page_url(name: str, raw: str, *args: int) -> str:
    """The full address of a portal page by its URL name ("home", "checkin", "session_confirm"
    ...; treatments/portal/urls.py), for a link that leaves the site in a message. Reversed by
    name, so patients need not import the portal that sits above it."""
    return settings.SITE_URL + reverse(f"portal:{name}", args=[raw, *args])


def portal_url(raw: str) -> str:
    return portal_page_url("home", raw)


def portal_short_url(raw: str) -> str:
    """The one link a text carries: /p/<token> leads into the portal (treatments.portal.views.short)."""
    return settings.SITE_URL + reverse("portal_short", args=[raw])


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
