"""The pain-over-time chart as server-drawn SVG: no JavaScript library, no inline styles (the
Content-Security-Policy forbids them). Colours are SVG presentation attributes. The SVG has a
title and a short description for screen readers; the table beside it lists every value."""

import datetime as dt
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

MEANINGFUL_CHANGE_NRS = 2  # a 2-point change on the 0-10 scale is meaningful (docs/clinical-facts.md, "Outcomes")

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 40
SESSION_COLOUR = "#0d6efd"
CHECKIN_COLOUR = "#6f42c1"
CLINIC_COLOUR = "#198754"
BASELINE_COLOUR = "#495057"
TARGET_COLOUR = "#b02a37"


@dataclass(frozen=True)
class ChartPoint:
    when: dt.date
    pain: int
    kind: str  # "session", "checkin" or "clinic"
    label: str = ""


def _x(day: dt.date, first: dt.date, span_days: int) -> float:
    usable = WIDTH - LEFT - RIGHT
    return round(LEFT + usable * (day - first).days / span_days, 1)


def _y(pain: float) -> float:
    usable = HEIGHT - TOP - BOTTOM
    return round(TOP + usable * (10 - pain) / 10, 1)


def _hline(value: float, colour: str, text: str, dash: str) -> SafeString:
    y = _y(value)
    return format_html(
        '<line class="chart-ref" x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1.5"'
        ' stroke-dasharray="{}"/><text x="{}" y="{}" font-size="11" fill="{}" text-anchor="end">{}</text>',
        LEFT,
        WIDTH - RIGHT,
        y,
        y,
        colour,
        dash,
        WIDTH - RIGHT,
        y - 4,
        colour,
        text,
    )


def _marker(point: ChartPoint, x: float, y: float) -> SafeString:
    if point.kind == "session":
        shape = format_html('<circle cx="{}" cy="{}" r="5" fill="{}"/>', x, y, SESSION_COLOUR)
    elif point.kind == "checkin":
        shape = format_html(
            '<circle cx="{}" cy="{}" r="4.5" fill="#ffffff" stroke="{}" stroke-width="2"/>', x, y, CHECKIN_COLOUR
        )
    else:
        shape = format_html(
            '<rect x="{}" y="{}" width="9" height="9" fill="{}"/>', round(x - 4.5, 1), round(y - 4.5, 1), CLINIC_COLOUR
        )
    label = format_html('<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>', x, y - 9, point.label)
    return format_html('<g class="chart-point chart-{}">{}{}</g>', point.kind, shape, label if point.label else "")


def pain_chart(points: list[ChartPoint], *, baseline: int | None, title: str) -> SafeString:
    """An SVG of pain (0-10) against date: session scores joined by a line, check-ins and clinic
    scores as separate markers, the baseline and the meaningful-change line."""
    if not points:
        return mark_safe("")
    points = sorted(points, key=lambda p: (p.when, p.kind != "session"))
    first, last = points[0].when, points[-1].when
    span = max((last - first).days, 1)
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#dee2e6"/>'
        '<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>',
        ((LEFT, WIDTH - RIGHT, _y(v), _y(v), LEFT - 6, _y(v) + 4, v) for v in range(0, 11, 2)),
    )
    sessions = [p for p in points if p.kind == "session"]
    line = ""
    if len(sessions) > 1:
        coords = " ".join(f"{_x(p.when, first, span)},{_y(p.pain)}" for p in sessions)
        line = format_html(
            '<polyline class="chart-sessions" points="{}" fill="none" stroke="{}" stroke-width="2"/>',
            coords,
            SESSION_COLOUR,
        )
    refs = ""
    if baseline is not None:
        refs = _hline(baseline, BASELINE_COLOUR, _("Baseline %(n)s") % {"n": baseline}, "6 4")
        target = baseline - MEANINGFUL_CHANGE_NRS
        if target >= 0:
            refs += _hline(target, TARGET_COLOUR, _("Meaningful change: %(n)s or lower") % {"n": target}, "2 3")
    markers = mark_safe("".join(_marker(p, _x(p.when, first, span), _y(p.pain)) for p in points))
    axis = format_html(
        '<line x1="{l}" x2="{r}" y1="{b}" y2="{b}" stroke="#212529"/>'
        '<line x1="{l}" x2="{l}" y1="{t}" y2="{b}" stroke="#212529"/>'
        '<text x="{l}" y="{ty}" font-size="11">{first}</text>'
        '<text x="{r}" y="{ty}" font-size="11" text-anchor="end">{last}</text>',
        l=LEFT,
        r=WIDTH - RIGHT,
        t=TOP,
        b=HEIGHT - BOTTOM,
        ty=HEIGHT - BOTTOM + 16,
        first=first.isoformat(),
        last=last.isoformat(),
    )
    description = _(
        "Pain from 0 (none) to 10 (worst) over time: %(n)s measurements from %(first)s to %(last)s. "
        "The table below lists every value."
    ) % {"n": len(points), "first": first.isoformat(), "last": last.isoformat()}
    return format_html(
        '<svg class="pain-chart" role="img" aria-labelledby="pain-chart-title pain-chart-desc"'
        ' viewBox="0 0 {w} {h}" width="100%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        '<title id="pain-chart-title">{title}</title><desc id="pain-chart-desc">{desc}</desc>'
        "{grid}{axis}{refs}{line}{markers}</svg>",
        w=WIDTH,
        h=HEIGHT,
        title=title,
        desc=description,
        grid=grid,
        axis=axis,
        refs=refs,
        line=line,
        markers=markers,
    )
