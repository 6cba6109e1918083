"""Links inside a message: the patient's one live portal link (looked up or issued at send time, so
an old message never carries a link made before it was due), its short form for texts, and the
unsubscribe link: an opaque random token (UnsubscribeLink, only its hash stored) that expires."""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from clinic.tokens import token_hash, token_plausible
from patients.tokens import portal_page_url, portal_short_url, portal_url

from .models import UnsubscribeLink

# 128 bits, 22 characters: unguessable and short enough for a text.
UNSUBSCRIBE_TOKEN_BYTES = 16
# Links sent before tokens were opaque: signing.dumps({"p": id, "c": channel}) with this salt. Read
# until they are UNSUBSCRIBE_LINK_DAYS old like the new ones, so a message already in someone's
# inbox keeps its working link; none is made any more.
LEGACY_SALT = "notifications.unsubscribe"


def portal_links(raw: str, appointment_id: int | None, offer_id: int | None = None) -> dict[str, str]:
    """The portal pages a message may point at (the URL contract of the portal)."""
    links = {
        "short_url": portal_short_url(raw),
        "portal_url": portal_url(raw),
        "checkin_url": portal_page_url("checkin", raw),
        "aftercare_url": portal_page_url("aftercare", raw),
    }
    if appointment_id:
        links |= {
            "confirm_url": portal_page_url("session_confirm", raw, appointment_id),
            "cancel_url": portal_page_url("session_cancel", raw, appointment_id),
            "before_url": portal_page_url("session_before", raw, appointment_id),
        }
    if offer_id:
        # A waitlist offer's own page, where the time is taken (not the portal's home).
        links["offer_url"] = portal_page_url("offer", raw, offer_id)
    return links


def unsubscribe_url_for(raw: str) -> str:
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[raw])


def unsubscribe_tokens_issue(*, pairs: set[tuple[int, str]], now: dt.datetime) -> dict[tuple[int, str], str]:
    """A new unsubscribe token for each (patient id, channel), valid UNSUBSCRIBE_LINK_DAYS; returns
    the raw tokens, which are never stored. Links past their life are deleted in the same go, so
    the table holds only what still works (two queries for any number of pairs)."""
    raw = {pair: secrets.token_urlsafe(UNSUBSCRIBE_TOKEN_BYTES) for pair in pairs}
    expires_at = now + dt.timedelta(days=settings.UNSUBSCRIBE_LINK_DAYS)
    # One transaction for both statements (each alone would open its own).
    with transaction.atomic():
        UnsubscribeLink.objects.filter(expires_at__lte=now).delete()
        UnsubscribeLink.objects.bulk_create(
            UnsubscribeLink(
                patient_id=pair[0], channel=pair[1], token_hash=token_hash(token), created_at=now, expires_at=expires_at
            )
            for pair, token in raw.items()
        )
    return raw


@dataclass(frozen=True)
class UnsubscribeLookup:
    patient_id: int
    channel: str
    expired: bool


def unsubscribe_read(token: str, *, now: dt.datetime) -> UnsubscribeLookup | None:
    """Whose link this is and whether it is past its life; None for anything never issued."""
    if not token_plausible(token):
        return None
    row = UnsubscribeLink.objects.filter(token_hash=token_hash(token)).values("patient_id", "channel", "expires_at")
    found = row.first()
    if found is not None:
        return UnsubscribeLookup(found["patient_id"], found["channel"], expired=found["expires_at"] <= now)
    if ":" in token:
        return _legacy_read(token)
    return None


def _legacy_read(token: str) -> UnsubscribeLookup | None:
    max_age = dt.timedelta(days=settings.UNSUBSCRIBE_LINK_DAYS)
    try:
        value = signing.loads(token, salt=LEGACY_SALT)
        patient_id, channel = int(value["p"]), str(value["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    try:
        signing.loads(token, salt=LEGACY_SALT, max_age=max_age)
    except signing.SignatureExpired:
        return UnsubscribeLookup(patient_id, channel, expired=True)
    return UnsubscribeLookup(patient_id, channel, expired=False)
