"""The desk's words about a series' dates, rendered the same on every page: a session spaced
differently from the protocol (a warning inside the allowed window, an error outside it) and why a
booked session is off its target day. `spacing_html` lives with the calendar's HTML
(scheduling.calendar_html), which builds its cards in Python."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from treatments.scheduling.calendar_html import spacing_html

register = template.Library()


@register.simple_tag
def spacing_for(notes: dict, key: int) -> SafeString:
    return spacing_html(notes.get(key))


@register.simple_tag
def off_target_for(notes: dict, key: int) -> SafeString:
    text = notes.get(key)
    if not text:
        return mark_safe("")
    return format_html('<span class="off-target" data-off-target>{}</span>', text)
