"""Reads for the public education site: published pages only, a fixed number of queries each."""

from django.db.models import Q, QuerySet

from .models import Page

SEARCH_MAX_LENGTH = 100
SEARCH_LIMIT = 30


def pages_published() -> QuerySet[Page]:
    return Page.objects.filter(status=Page.Status.PUBLISHED)


def page_published(*, slug: str) -> Page | None:
    return pages_published().filter(slug=slug).first()


def pages_by_kind() -> dict[str, list[Page]]:
    """The index: every published page grouped by kind, in one query."""
    grouped: dict[str, list[Page]] = {kind: [] for kind in Page.Kind.values}
    for page in pages_published().defer("body"):
        grouped[page.kind].append(page)
    return grouped


def pages_search(*, query: str) -> list[Page]:
    """Published pages whose title, summary or text holds every word of the query."""
    words = [w for w in query.split() if w][:8]
    if not words:
        return []
    condition = Q()
    for word in words:
        condition &= Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
    return list(pages_published().filter(condition).defer("body")[:SEARCH_LIMIT])
