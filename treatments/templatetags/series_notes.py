"""The desk's words about a series' dates, rendered the same on every page: a session spaced
differently from the protocol (a warning inside the allowed window, an error outside it) and why a
booked session is off its target day. The calendar card builds its HTML in Python and calls
`spacing_html` too."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from treatments.scheduling.rules import SpacingNote

register = template.Library()


def spacing_html(note: SpacingNote | None) -> SafeString:
    if note is None or note.ok:
        return mark_safe("")
    heading = _("Spacing error:") if note.level == "error" else _("Spacing warning:")
    return format_html(
        '<span class="spacing spacing-{}" data-spacing="{}"><span aria-hidden="true">{} </span>'
        '<span class="visually-hidden">{} </span>{}</span>',
        note.level,
        note.level,
        "✕" if note.level == "error" else "⚠",
        heading,
        note.text,
    )


@register.simple_tag
def spacing_for(notes: dict, key: int) -> SafeString:
    return spacing_html(notes.get(key))


@register.simple_tag
def off_target_for(notes: dict, key: int) -> SafeString:
    text = notes.get(key)
    if not text:
        return mark_safe("")
    return format_html('<span class="off-target" data-off-target>{}</span>', text)
