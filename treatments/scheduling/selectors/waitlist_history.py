"""Who came off the waitlist lately, and who took them off: the desk's answer to "why is she no
longer waiting?"; and every offer of a freed slot with its outcome. One query each."""

from treatments.models import WaitlistEntry, WaitlistOffer

RECENT_LIMIT = 10


def waitlist_resolved_recent(*, limit: int = RECENT_LIMIT) -> list[WaitlistEntry]:
    return list(
        WaitlistEntry.objects.filter(resolved_at__isnull=False)
        .select_related("patient", "practitioner", "resolved_by")
        .order_by("-resolved_at", "-id")[:limit]
    )


def waitlist_offers_recent(*, limit: int = 50) -> list[WaitlistOffer]:
    """Every recent offer of a freed slot and its outcome (offered, expired, claimed, taken), newest
    slot first and in the clinic's order within it. One query."""
    return list(
        WaitlistOffer.objects.select_related("entry__patient", "freed__practitioner", "freed__location").order_by(
            "-created_at", "freed_id", "rank"
        )[:limit]
    )
