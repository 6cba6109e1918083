"""Markdown to safe HTML. Editors are trusted staff, but a pasted snippet can still carry a script,
a frame or a `javascript:` link, so everything Markdown produces goes through nh3's allow-list."""

import markdown
import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from clinic.models import ClinicSettings

from .models import Page

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "ul", "ol", "li",
    "a", "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "abbr", "dl", "dt", "dd",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}


def _placeholders(clinic: ClinicSettings) -> dict[str, str]:
    after = str(clinic.nsaid_avoid_days_after) if clinic.nsaid_avoid_days_after else _("the whole course of treatment")
    return {
        "[[clinic_phone]]": clinic.phone,
        "[[clinic_name]]": clinic.name,
        "[[nsaid_days_before]]": str(clinic.nsaid_pause_days_before),
        "[[nsaid_days_after]]": after,
    }


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
    )


def render_markdown(text: str, *, clinic: ClinicSettings | None = None) -> SafeString:
    """Markdown (with the clinic's own numbers filled in) as sanitised HTML, safe to show as is."""
    if clinic is not None:
        for key, value in _placeholders(clinic).items():
            # Escaped so a phone number can never smuggle markup into the page.
            text = text.replace(key, escape(value))
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    # Page titles are the h1; body headings start at h2 so the outline stays correct.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return mark_safe(sanitise(html))


# Injections near the spine carry extra warning signs (docs/clinical-facts.md, "Warning signs").
SPINE_CONDITIONS = frozenset({"low-back", "sacroiliac"})


def page_context(page: Page, *, clinic: ClinicSettings | None = None) -> dict:
    clinic = clinic or ClinicSettings.load()
    return {
        "page": page,
        "body_html": render_markdown(page.body, clinic=clinic),
        "clinic": clinic,
        "spine": page.condition in SPINE_CONDITIONS,
    }
