"""The body chart: an outline of the body, front and back, made of named regions.

One definition serves three readers: the record's clickable map (the template draws these shapes,
the practitioner's click becomes an injection-site row with the region and side filled in), the
service that refuses a point outside the map (`chart_point_problem`), and the series chart that
draws every site of every session (`series_body_chart`). Coordinates are in the units of one
figure, `WIDTH` x `HEIGHT`, the same for front and back; the SVG places the back figure beside the
front one.

Sides are the patient's: on the front view the patient's right is on the viewer's left, on the
back view it is on the viewer's right. Pure code, no ORM."""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

WIDTH = 120
HEIGHT = 220
GAP = 20  # between the front and the back figure in the combined SVG

FRONT = "front"
BACK = "back"
VIEWS = {FRONT: gettext_lazy("Front"), BACK: gettext_lazy("Back")}


@dataclass(frozen=True)
class Shape:
    """A region of one view: an ellipse (rx, ry) or a rectangle (w, h) centred on (cx, cy)."""

    key: str
    view: str
    region: str
    side: str  # Side value: left, right, none
    cx: int
    cy: int
    rx: int
    ry: int
    ellipse: bool = True

    def contains(self, x: float, y: float) -> bool:
        dx, dy = (x - self.cx) / self.rx, (y - self.cy) / self.ry
        if self.ellipse:
            return dx * dx + dy * dy <= 1
        return abs(dx) <= 1 and abs(dy) <= 1

    @property
    def label(self) -> str:
        side = {"left": _("left"), "right": _("right")}.get(self.side, "")
        return f"{self.region}, {side} ({VIEWS[self.view]})" if side else f"{self.region} ({VIEWS[self.view]})"


# (region on the front, region on the back, side on the viewer's left of the FRONT figure,
#  centre x on the viewer's left, centre y, half width, half height, ellipse?)
# Paired limbs are mirrored around the middle (x = 60); central shapes have no side.
_LIMBS = [
    ("Shoulder", "Shoulder", 38, 46, 9, 7, True),
    ("Upper arm", "Upper arm", 32, 64, 5, 13, False),
    ("Elbow", "Elbow", 31, 82, 6, 5, True),
    ("Forearm", "Forearm", 30, 98, 5, 11, False),
    ("Wrist and hand", "Wrist and hand", 29, 117, 6, 8, True),
    ("Hip", "Sacroiliac joint", 52, 99, 8, 7, False),
    ("Thigh", "Hamstrings", 52, 126, 7, 20, False),
    ("Knee", "Knee", 52, 152, 7, 7, True),
    ("Lower leg", "Calf", 52, 179, 6, 19, False),
    ("Ankle", "Ankle", 52, 201, 5, 4, True),
    ("Foot", "Foot", 52, 211, 8, 5, True),
]
_CENTRE = [
    ("Head", "Head", 60, 18, 11, 14, True),
    ("Neck", "Cervical spine", 60, 35, 6, 5, False),
    ("Chest", "Thoracic spine", 60, 55, 16, 15, False),
    ("Abdomen", "Lumbar spine", 60, 81, 15, 11, False),
]


def _shapes() -> tuple[Shape, ...]:
    shapes = []
    for view in (FRONT, BACK):
        for front_name, back_name, cx, cy, rx, ry, ellipse in _CENTRE:
            region = front_name if view == FRONT else back_name
            shapes.append(Shape(f"{view}-{cx}-{cy}", view, region, "none", cx, cy, rx, ry, ellipse))
        for front_name, back_name, cx, cy, rx, ry, ellipse in _LIMBS:
            region = front_name if view == FRONT else back_name
            # Front: the viewer's left is the patient's right. Back: the patient's left.
            near, far = ("right", "left") if view == FRONT else ("left", "right")
            shapes.append(Shape(f"{view}-{near}-{cy}", view, region, near, cx, cy, rx, ry, ellipse))
            shapes.append(Shape(f"{view}-{far}-{cy}", view, region, far, WIDTH - cx, cy, rx, ry, ellipse))
    return tuple(shapes)


# Drawn in this order; a later shape lies on top, so hit-testing walks it backwards.
SHAPES: tuple[Shape, ...] = _shapes()


def shape_at(view: str, x: float, y: float) -> Shape | None:
    """The region under a point, as the practitioner saw it (the topmost shape), or None."""
    for shape in reversed(SHAPES):
        if shape.view == view and shape.contains(x, y):
            return shape
    return None


def chart_point_problem(view: str, x: int | None, y: int | None) -> str | None:
    """Why a body-chart point cannot be stored, or None when it can (or when there is none)."""
    if not view and x is None and y is None:
        return None
    if view not in VIEWS or x is None or y is None:
        return _("the body-chart point is incomplete; click the chart again or clear the point")
    if shape_at(view, x, y) is None:
        return _("the body-chart point is outside the body map; click on the body")
    return None


def _offset(view: str) -> int:
    return 0 if view == FRONT else WIDTH + GAP


def outline_svg(*, interactive: bool = True) -> str:
    """The shapes of both views as SVG elements. On the record (interactive) each one is a
    focusable button named after its region, so the map can be used with the keyboard too; on a
    chart that only shows sites they are plain shapes."""
    parts = []
    for shape in SHAPES:
        attrs = (
            mark_safe('class="bc-region"')
            if not interactive
            else format_html(
                'class="bc-region" data-view="{}" data-region="{}" data-side="{}" data-cx="{}" data-cy="{}" '
                'tabindex="0" role="button" aria-label="{}"',
                shape.view,
                shape.region,
                shape.side,
                shape.cx,
                shape.cy,
                shape.label,
            )
        )
        cx = shape.cx + _offset(shape.view)
        if shape.ellipse:
            parts.append(
                format_html('<ellipse {} cx="{}" cy="{}" rx="{}" ry="{}"/>', attrs, cx, shape.cy, shape.rx, shape.ry)
            )
        else:
            parts.append(
                format_html(
                    '<rect {} x="{}" y="{}" width="{}" height="{}" rx="2"/>',
                    attrs,
                    cx - shape.rx,
                    shape.cy - shape.ry,
                    2 * shape.rx,
                    2 * shape.ry,
                )
            )
    captions = format_html(
        '<text class="bc-caption" x="{}" y="{}">{}</text><text class="bc-caption" x="{}" y="{}">{}</text>'
        '<text class="bc-side" x="4" y="10">{}</text><text class="bc-side" x="{}" y="10">{}</text>',
        WIDTH / 2,
        HEIGHT + 14,
        VIEWS[FRONT],
        WIDTH + GAP + WIDTH / 2,
        HEIGHT + 14,
        VIEWS[BACK],
        _("R"),
        WIDTH + GAP + 4,
        _("L"),
    )
    return format_html("{}{}", format_html_join("", "{}", ((p,) for p in parts)), captions)


VIEWBOX = f"0 0 {2 * WIDTH + GAP} {HEIGHT + 20}"


@dataclass(frozen=True)
class ChartMark:
    """One injection site on the chart: where, and which session (its number and colour)."""

    view: str
    x: int
    y: int
    session: int
    title: str


def marks_svg(marks: list[ChartMark]) -> str:
    """The sites as numbered dots; the number is the session's, the colour class repeats every 6."""
    return format_html_join(
        "",
        '<g class="bc-mark bc-s{}"><circle cx="{}" cy="{}" r="4"/><text x="{}" y="{}">{}</text><title>{}</title></g>',
        (
            ((m.session - 1) % 6 + 1, m.x + _offset(m.view), m.y, m.x + _offset(m.view), m.y + 2, m.session, m.title)
            for m in marks
        ),
    )


# Regions typed on a record that the map names differently.
_REGION_ALIASES = {"pelvis": "sacroiliac joint"}


def region_shape(region: str, side: str) -> Shape | None:
    """The map's shape for a typed region and side (the front view first): where a site recorded
    without a point is drawn. None when the map has no such region."""
    name = region.strip().lower()
    name = _REGION_ALIASES.get(name, name)
    found = [s for s in SHAPES if s.region.lower() == name]
    for shape in sorted(found, key=lambda s: s.view != FRONT):
        if shape.side in (side, "none"):
            return shape
    return found[0] if found else None


def _region_shapes(region: str, side: str) -> list[Shape]:
    """Where a site typed without a point is drawn: its region on its side, or on each side for a
    site recorded on both (one shape for a region in the middle, which has no side)."""
    sides = ("right", "left") if side == "both" else (side,)
    shapes = [shape for s in sides if (shape := region_shape(region, s)) is not None]
    return list({shape.key: shape for shape in shapes}.values())


def series_body_chart(sessions) -> dict:
    """Every site of a series' SIGNED sessions (the progress page's SessionColumns) as marks: at
    its clicked point, or, typed without one, at the centre of its region on the side recorded
    (else the series' side), said so in its title. A draft is not a fact yet (it may be tomorrow's
    plan), so it is never drawn. Only a region the map does not have is listed unplaced."""
    marks, unplaced = [], []
    for column in sessions:
        if not column.signed:
            continue
        step = column.appointment.series_step or 0
        series_side = getattr(column.appointment.series, "side", "none") if column.appointment.series else "none"
        for site in column.sites:
            where = f"{site.region} — {site.structure}" if site.structure else site.region
            title = _("Session %(n)s: %(where)s") % {"n": step, "where": where}
            if site.chart_view and site.chart_x is not None and site.chart_y is not None:
                marks.append(ChartMark(site.chart_view, site.chart_x, site.chart_y, step, title))
            elif shapes := _region_shapes(site.region, site.side if site.side != "none" else series_side):
                title = _("%(title)s (placed by its region)") % {"title": title}
                marks += [ChartMark(shape.view, shape.cx, shape.cy, step, title) for shape in shapes]
            else:
                unplaced.append(title)
    steps = sorted({m.session for m in marks})
    return {
        "svg": format_html("{}{}", outline_svg(interactive=False), marks_svg(marks)),
        "viewbox": VIEWBOX,
        "marks": marks,
        "unplaced": unplaced,
        "legend": [(step, (step - 1) % 6 + 1) for step in steps],
    }
