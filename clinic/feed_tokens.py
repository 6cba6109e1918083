"""The practitioner's secret calendar feed. The raw token is shown once; only its hash is stored
(clinic/tokens.py). Regenerating replaces it, revoking clears it."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from .models import Practitioner
from .tokens import token_hash, token_new, token_plausible


def practitioner_feed_token_issue(*, practitioner: Practitioner) -> str:
    """A new feed token (the old one stops working at once); returns the raw token."""
    raw = token_new()
    with transaction.atomic():
        Practitioner.objects.filter(pk=practitioner.pk).update(feed_token_hash=token_hash(raw))
    practitioner.feed_token_hash = token_hash(raw)
    return raw


def practitioner_feed_token_revoke(*, practitioner: Practitioner) -> None:
    with transaction.atomic():
        Practitioner.objects.filter(pk=practitioner.pk).update(feed_token_hash="")
    practitioner.feed_token_hash = ""


def practitioner_for_feed_token(raw: str) -> Practitioner | None:
    """The practitioner whose live feed this is; None for a wrong, revoked or malformed token."""
    if not token_plausible(raw):
        return None
    return Practitioner.objects.filter(feed_token_hash=token_hash(raw)).exclude(feed_token_hash="").first()


def feed_url(raw: str) -> str:
    return settings.SITE_URL + reverse("desk:practitioner_feed", kwargs={"token": raw})
