"""How other apps show education pages without importing education: they name the pages by slug
(and the conditions treated, for the warning signs near the spine) in a template, and this tag
answers with what to show. The portal's aftercare page is the caller."""

from django import template
from django.utils.translation import gettext as _

from education.models import Page
from education.rendering import SPINE_CONDITIONS, page_context

register = template.Library()

GENERAL_AFTERCARE_SLUG = "aftercare"


@register.simple_tag(takes_context=True)
def aftercare_guides(context, slugs, conditions=()) -> dict:
    """The published guides of these slugs in their order (the general aftercare guide when none of
    them is published), and whether any treated condition is near the spine. One query."""
    slugs = list(dict.fromkeys(s for s in slugs if s))
    found = {
        p.slug: p for p in Page.objects.filter(slug__in=[*slugs, GENERAL_AFTERCARE_SLUG], status=Page.Status.PUBLISHED)
    }
    pages = [found[s] for s in slugs if s in found] or [p for p in [found.get(GENERAL_AFTERCARE_SLUG)] if p]
    return {
        "guides": [page_context(p, clinic=context.get("clinic")) for p in pages],
        "title": pages[0].title if pages else _("Aftercare"),
        "spine": any(c in SPINE_CONDITIONS for c in conditions),
    }
