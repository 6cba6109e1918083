"""The desk calendar's grid as HTML, built in Python: a busy day has hundreds of cards, and the
template language spent most of the page's time on them (a template per card, a lookup per
variable, a translation per label). Here the fixed words (buttons, statuses, badges, headings) are
translated and escaped once per language, each URL is reversed once per page and each variable
value escaped once; the cards' extra badges (treatments.hooks.appointment_badges, e.g. billing's)
are asked for once per page, for every card at once.

The buttons submit the page's one form (#cal-actions) to their own URL, so no card carries a CSRF
token and the day's grid can be kept for every desk (scheduling.day_grid). The markup is the one
the calendar's stylesheet and script read (static/css/calendar.css, static/js/calendar.js)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache
from html import escape

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from clinic.url_halves import url_halves
from treatments import hooks
from treatments.models import Appointment
from treatments.scheduling.rules import SpacingNote
from treatments.scheduling.selectors.calendar_grid import Column, Grid, Item

# Where each card's buttons and name lead, by the word that shows them.
CARD_URLS = {
    "patient": "desk:patient",
    "check_in": "desk:appointment_check_in",
    "no_show": "desk:appointment_no_show",
    "move": "desk:appointment_move",
    "cancel": "desk:appointment_cancel",
    "ics": "desk:appointment_ics",
    "waitlist": "desk:waitlist_slot",
}


def spacing_html(note: SpacingNote | None) -> SafeString:
    """A session spaced differently from its protocol: a warning inside the allowed window, an
    error outside it (the same words on every page: the series_notes template tags call this)."""
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


def _button(css: str, label: str, confirm: str = "") -> tuple[str, str]:
    """A button of the page's action form, as the HTML before and after its URL."""
    confirm_attr = format_html(' data-confirm="{}"', confirm) if confirm else ""
    html = format_html(
        '<button type="submit" form="cal-actions" formaction="{{url}}" class="btn {}"{}>{}</button>',
        css,
        confirm_attr,
        label,
    )
    before, after = html.split("{url}")
    return before, after


def _link(css: str, label: str, aria: str = "") -> tuple[str, str]:
    aria_attr = format_html(' aria-label="{}"', aria) if aria else ""
    before, after = format_html('<a class="btn {}" href="{{url}}"{}>{}</a>', css, aria_attr, label).split("{url}")
    return before, after


@cache
def _words(_language: str | None) -> dict:
    """The grid's fixed HTML in the active language (the argument keys the cache), escaped once."""
    return {
        "check_in": _button("btn-success", _("Check in")),
        "no_show": _button("btn-outline-danger", _("No-show"), _("Mark this appointment as a no-show?")),
        "move": _link("btn-outline-secondary", _("Move")),
        "cancel": _link("btn-outline-secondary", _("Cancel")),
        "ics": _link("btn-outline-secondary", ".ics", _("Add to calendar (.ics)")),
        "waitlist": _link("btn-outline-primary", _("Waitlist")),
        "confirmed": format_html(' <span class="badge text-bg-success cal-confirmed">{}</span>', _("Confirmed")),
        "intake": format_html(' <span class="badge text-bg-info cal-intake">{}</span>', _("Intake done")),
        "flags": escape(_("Screening flags:")),
        "in_closure": escape(_("Inside a closure — move or cancel:")),
        "outside_hours": escape(_("Outside the hours — move or cancel")),
        "closed": escape(_("Closed")),
        "week": escape(_("Week")),
        "nobody": escape(_("No practitioner is set up yet. Add practitioners and their hours in Setup.")),
        "loading": escape(_("Loading this day…")),
        "status": {value: escape(str(label)) for value, label in Appointment.Status.choices},
    }


def words() -> dict:
    return _words(get_language())


class Urls:
    """Every URL a card links to, reversed once per page: the id goes between two fixed halves.
    With the page's words, each button's HTML before and after the id (`buttons`)."""

    def __init__(self, fixed: Mapping | None = None) -> None:
        self.halves = {}
        for key, name in CARD_URLS.items():
            before, after = url_halves(name)
            self.halves[key] = (escape(before), escape(after))
        self.calendar = escape(reverse("desk:calendar"))
        self.slot = escape(reverse("desk:calendar_slot"))
        self.move = escape(reverse("desk:calendar_move", args=[0]))
        week_before, week_after = url_halves("desk:calendar_week")
        self.week = (escape(week_before), escape(week_after))
        self.team_day = escape(reverse("desk:calendar_team_day"))
        fixed = fixed if fixed is not None else words()
        self.buttons = {
            key: (fixed[key][0] + self.halves[key][0], self.halves[key][1] + fixed[key][1])
            for key in ("check_in", "no_show", "move", "cancel", "ics", "waitlist")
        }


def page_urls() -> Urls:
    """The page's URLs, kept per language, script prefix and URLconf (they change with none else)."""
    return _urls(get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=16)
def _urls(_language: str | None, _prefix: str, _urlconf: str | None) -> Urls:
    return Urls(words())


def card_badges(items: Iterable[Item]) -> dict[int, list[hooks.Badge]]:
    """The extra badges of every card shown, asked for once with what the cards have read
    (treatments.hooks; no query when no app provides any)."""
    return hooks.appointment_badges(
        hooks.ShownAppointment(a.pk, a.patient_id, a.series_id, a.status) for a in (item.appointment for item in items)
    )


def _flags(item: Item, fixed: Mapping) -> str:
    if not item.flags:
        return ""
    text = escape("; ".join(f.label for f in item.flags))
    return f'<span class="cal-flag" title="{text}">⚠<span class="visually-hidden">{fixed["flags"]} {text}</span></span>'


@lru_cache(maxsize=4096)
def _clock(local: dt.datetime) -> str:
    """09:30: the cards of a day start and end at a few dozen times."""
    return f"{local:%H:%M}"


@lru_cache(maxsize=4096)
def _meta(type_name: str, step_label: str, room_name: str | None) -> str:
    """The card's type · session n of m · room, escaped (a day's cards share a few dozen)."""
    return escape(" · ".join(part for part in (type_name, step_label, room_name) if part))


_BOOKED, _CANCELLED = Appointment.Status.BOOKED.value, Appointment.Status.CANCELLED.value
_LIVE = frozenset(str(status) for status in Appointment.LIVE_STATUSES)


def card_html(item: Item, fixed: Mapping, urls: Urls, badges: Sequence[hooks.Badge] = ()) -> str:
    """One appointment card. Every variable part is escaped here, once."""
    a = item.appointment
    pk = str(a.pk)
    status = a.status
    name = escape(f"{a.first_name} {a.last_name}")
    start = _clock(item.local_start)
    live = status in _LIVE
    extra = ""
    if status == _BOOKED and a.patient_confirmed:
        extra = fixed["confirmed"]
    if not a.series_id and live and a.intake_done:
        # A first visit whose patient sent the intake and signed the consent; series sessions do
        # not repeat it.
        extra += fixed["intake"]
    if badges:
        extra += hooks.badges_html(badges)  # money, from an app above (treatments.hooks), escaped there
    spacing = f'<div class="cal-spacing">{spacing_html(item.spacing)}</div>' if item.spacing else ""
    if item.in_closure:
        # Marked until the desk moves or cancels it (/desk/setup/closures/<pk>/).
        spacing += f'<div class="cal-covered">{fixed["in_closure"]} {escape(item.in_closure)}</div>'
    elif item.outside_hours:
        # Marked until moved or cancelled, or the hours change back (/desk/setup/practitioners/<pk>/).
        spacing += f'<div class="cal-covered">{fixed["outside_hours"]}</div>'
    buttons = urls.buttons
    actions = ""
    if item.can_check_in:
        actions += buttons["check_in"][0] + pk + buttons["check_in"][1]
    if item.can_no_show:
        actions += buttons["no_show"][0] + pk + buttons["no_show"][1]
    elif status == _BOOKED:
        actions += buttons["move"][0] + pk + buttons["move"][1] + buttons["cancel"][0] + pk + buttons["cancel"][1]
    if live:
        actions += buttons["ics"][0] + pk + buttons["ics"][1]
    if item.frees_slot:
        actions += buttons["waitlist"][0] + pk + buttons["waitlist"][1]
    patient = urls.halves["patient"]
    b = item.block
    return (
        f'<article id="appt-{pk}" class="cal-appt cal-r-{b.row} cal-s-{b.span} cal-ln-{b.lanes}-{b.lane} '
        f'cal-type-{a.appointment_type_id} cal-st-{status}{" cal-in-closure" if item.in_closure else ""}" '
        f'aria-label="{start} {name}">'
        f'<div><span class="cal-time">{start}–{_clock(item.local_end)}</span> {_flags(item, fixed)} '
        f'<span class="badge text-bg-light border cal-status">{fixed["status"].get(status) or escape(status)}</span>'
        f"{extra}</div>"
        f'<div class="cal-name"><a href="{patient[0]}{a.patient_id}{patient[1]}" title="{name}">{name}</a></div>'
        f'<div class="cal-meta">{_meta(a.type_name, item.step_label, a.room_name if a.room_id else None)}</div>'
        f'{spacing}<div class="cal-actions">{actions}</div>'
        "</article>"
    )


def axis_html(grid: Grid) -> str:
    marks = "".join(
        f'<div class="cal-hour cal-r-{m.row} cal-s-{m.span}">{escape(m.label)}</div>' for m in grid.hour_marks
    )
    return (
        '<div class="cal-axis" aria-hidden="true">\n    <div class="cal-head"></div>\n'
        f'    <div class="cal-grid cal-rows-{grid.rows}">\n      {marks}\n    </div>\n  </div>'
    )


def column_grid_html(
    column: Column, grid: Grid, fixed: Mapping, urls: Urls, badges: Mapping[int, Sequence[hooks.Badge]], lines: str
) -> str:
    """A column's time grid: its working hours, the hour lines (`lines`, the same in every
    column), the line at the current time, its closures and its cards."""
    parts = [f'<div class="cal-grid cal-rows-{grid.rows}">']
    parts += [
        f'<div class="cal-open cal-r-{b.row} cal-s-{b.span}" title="{escape(b.label)}"></div>'
        for b in column.open_blocks
    ]
    parts.append(lines)
    if grid.now_row:
        parts.append(f'<div class="cal-now cal-r-{grid.now_row} cal-s-1" aria-hidden="true"></div>')
    parts += [
        f'<div class="cal-closed cal-r-{b.row} cal-s-{b.span}">{fixed["closed"]}: {escape(b.label)}</div>'
        for b in column.closed_blocks
    ]
    parts += [card_html(item, fixed, urls, badges.get(item.appointment.pk, ())) for item in column.items]
    parts.append("</div>")
    return "".join(parts)


def hour_lines(grid: Grid) -> str:
    return "".join(f'<div class="cal-line cal-r-{m.row} cal-s-1" aria-hidden="true"></div>' for m in grid.hour_marks)


def grid_html(grid: Grid, *, day: dt.date | None = None, week: bool = False) -> SafeString:
    """The day's grid (a column per practitioner, `day` shown) or a practitioner's week (a column
    per day, `week`): the page's calendar box, with every card."""
    return mark_safe(grid_text(grid, day=day, week=week))  # every value escaped (grid_text)


def grid_text(grid: Grid, *, day: dt.date | None = None, week: bool = False) -> str:
    """grid_html's HTML as a plain string, every value escaped: the day page encodes it as it is
    (a SafeString would copy its 300 KB once more)."""
    fixed, urls = words(), page_urls()
    badges = card_badges(item for column in grid.columns for item in column.items)
    lines = hour_lines(grid)
    out = [
        '<div class="cal-scroll border rounded">\n'
        f'<div class="cal{" cal-week" if week else ""}" data-first-minute="{grid.first_minute}" '
        f'data-rows="{grid.rows}" data-slot-url="{urls.slot}" data-move-url="{urls.move}">\n  ',
        axis_html(grid),
    ]
    for column in grid.columns:
        key = escape(column.key)
        date = column.date.isoformat() if column.date else ""
        practitioner = f' data-practitioner="{column.practitioner.pk}"' if column.practitioner else ""
        out.append(
            f'\n  <section class="cal-col" aria-labelledby="col-{key}" data-column="{key}"{practitioner} '
            f'data-date="{date}">\n    <div class="cal-head">'
        )
        if week and column.date is not None:
            label = escape(date_format(column.date, "D j M"))
            out.append(f'<h2 id="col-{key}"><a href="{urls.calendar}?date={date}">{label}</a></h2>')
        else:
            subtitle = f" · {escape(column.subtitle)}" if column.subtitle else ""
            week_url = urls.week[0] + str(column.practitioner.pk) + urls.week[1] if column.practitioner else ""
            shown = day.isoformat() if day else ""
            out.append(
                f'<h2 id="col-{key}">{escape(column.title)}</h2>'
                f'<small><a href="{week_url}?date={shown}">{fixed["week"]}</a>{subtitle}</small>'
            )
        out.append("</div>\n    ")
        out.append(column_grid_html(column, grid, fixed, urls, badges, lines))
        out.append("\n  </section>")
    if not grid.columns:
        out.append(f'\n  <p class="p-3">{fixed["nobody"]}</p>')
    out.append("\n</div>\n</div>\n")
    return "".join(out)


def _team_day_html(team_day, grid: Grid, today: dt.date, fixed: Mapping, urls: Urls, badges, lines: str) -> str:
    date = team_day.date.isoformat()
    current = ' aria-current="date"' if team_day.date == today else ""
    long_date = escape(date_format(team_day.date, "l j F"))
    out = [
        f'<div class="cal-team-day" role="group" aria-labelledby="day-{date}">\n'
        f'    <h2 class="cal-team-date" id="day-{date}"><a href="{urls.calendar}?date={date}"{current}>'
        f"{escape(date_format(team_day.date, 'D j M'))}</a></h2>\n"
        '    <div class="cal-team-lanes">'
    ]
    for column in team_day.columns:
        title = escape(column.title)
        out.append(
            f'\n    <section class="cal-col" aria-label="{title}, {long_date}" data-column="{escape(column.key)}" '
            f'data-practitioner="{column.practitioner.pk}" data-date="{date}">\n'
            f'      <div class="cal-head"><h3 title="{title}">{title}</h3></div>\n      '
        )
        out.append(column_grid_html(column, grid, fixed, urls, badges, lines))
        out.append("\n    </section>")
    out.append("\n    </div>\n  </div>")
    return "".join(out)


def _later_day_html(day: dt.date, grid: Grid, today: dt.date, urls: Urls, keep: str, fixed: Mapping) -> str:
    """A day beyond the first screen: its heading, and its lanes loaded when it comes into view
    (htmx), on the page's rows."""
    date = day.isoformat()
    current = ' aria-current="date"' if day == today else ""
    source = f"{urls.team_day}?date={date}&amp;first={grid.first_minute}&amp;last={grid.last_minute}{escape(keep)}"
    return (
        f'<div class="cal-team-day cal-team-later" role="group" aria-labelledby="day-{date}" '
        f'hx-get="{source}" hx-trigger="intersect once" hx-swap="outerHTML" '
        # One day at a time: the days that come into view together queue (a wide screen asks
        # several at once), so the desk's server answers them in turn.
        f'hx-sync="closest .cal-team:queue all">\n'
        f'    <h2 class="cal-team-date" id="day-{date}"><a href="{urls.calendar}?date={date}"{current}>'
        f"{escape(date_format(day, 'D j M'))}</a></h2>\n"
        f'    <p class="p-3 text-body-secondary" role="status">{fixed["loading"]}</p>\n  </div>'
    )


def team_week_html(days: Sequence, grid: Grid, *, today: dt.date, later: Sequence = (), keep: str = "") -> SafeString:
    """The week of every practitioner (selectors.calendar_team.TeamWeek's days): each open day a
    lane per practitioner, on one time grid; the days in `later` are loaded when they come into
    view (`keep`: the page's choice of practitioners, as query parameters)."""
    fixed, urls = words(), page_urls()
    badges = card_badges(item for column in grid.columns for item in column.items)
    lines = hour_lines(grid)
    out = [
        '<div class="cal-scroll border rounded">\n'
        f'<div class="cal cal-team" data-first-minute="{grid.first_minute}" data-rows="{grid.rows}" '
        f'data-slot-url="{urls.slot}" data-move-url="{urls.move}" data-back="week">\n  ',
        axis_html(grid),
    ]
    for team_day in days:
        out.append("\n  " + _team_day_html(team_day, grid, today, fixed, urls, badges, lines))
    for day in later:
        out.append("\n  " + _later_day_html(day, grid, today, urls, keep, fixed))
    if not days and not later:
        out.append(f'\n  <p class="p-3">{fixed["nobody"]}</p>')
    out.append("\n</div>\n</div>\n")
    return mark_safe("".join(out))  # every value escaped above


def team_day_html(team_day, grid: Grid, *, today: dt.date) -> SafeString:
    """One day of the week of every practitioner, loaded into the page when it comes into view."""
    fixed, urls = words(), page_urls()
    badges = card_badges(item for column in team_day.columns for item in column.items)
    return mark_safe(_team_day_html(team_day, grid, today, fixed, urls, badges, hour_lines(grid)))  # escaped above
