"""Who came off the waitlist lately, and who took them off: the desk's answer to "why is she no
longer waiting?". One query."""

from treatments.models import WaitlistEntry

RECENT_LIMIT = 10


def waitlist_resolved_recent(*, limit: int = RECENT_LIMIT) -> list[WaitlistEntry]:
    return list(
        WaitlistEntry.objects.filter(resolved_at__isnull=False)
        .select_related("patient", "practitioner", "resolved_by")
        .order_by("-resolved_at", "-id")[:limit]
    )
