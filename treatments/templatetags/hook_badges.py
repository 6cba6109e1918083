"""The badges an app above treatments (billing) gives through treatments.hooks, rendered the same on
every page: a plain badge, or a small link. The calendar card builds its HTML in Python and calls
`badges_html` too."""

from collections.abc import Sequence

from django import template
from django.utils.safestring import SafeString

from treatments.hooks import Badge, badges_html, portal_links

register = template.Library()


@register.simple_tag
def hook_badges(badges: Sequence[Badge] | None) -> SafeString:
    """{% hook_badges page.badges %}"""
    return badges_html(badges or [])


@register.simple_tag
def hook_badges_for(badges_by_id: dict[int, list[Badge]] | None, key: int, skip: str = "") -> SafeString:
    """{% hook_badges_for overview.series_badges s.series.pk %}: one id's badges of a mapping;
    skip="patient" leaves out the patient's own facts (a page of one patient's rows)."""
    return badges_html([b for b in (badges_by_id or {}).get(key, []) if not skip or b["scope"] != skip])


@register.simple_tag
def hook_portal_links(token: str) -> list[dict[str, str]]:
    """{% hook_portal_links token as links %}: the portal pages apps above treatments add."""
    return portal_links(token)
