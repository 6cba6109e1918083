"""The body chart in templates: the clickable outline on the session record, and a series' sites
drawn on one chart (treatments/clinical/bodychart.py draws both)."""

from django import template

from treatments.clinical import bodychart

register = template.Library()


@register.simple_tag
def body_chart_outline() -> dict:
    return {"svg": bodychart.outline_svg(), "viewbox": bodychart.VIEWBOX}


@register.simple_tag
def series_body_chart(sessions) -> dict:
    return bodychart.series_body_chart(sessions)
