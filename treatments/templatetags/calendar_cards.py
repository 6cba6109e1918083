"""One appointment card of the desk calendar, built in Python: a busy day has hundreds of cards
and the template language spent most of the page's time resolving their variables. The fixed
words (buttons, statuses, badges) are translated and escaped once per language, not per card;
the buttons submit the page's one form (#cal-actions) to their own URL, so no card carries a
CSRF token and the grid can be kept for every desk (scheduling.day_grid)."""

from functools import cache

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from treatments.models import Appointment
from treatments.scheduling.selectors.calendar import Item
from treatments.templatetags.series_notes import spacing_html

register = template.Library()


def _button(css: str, label: str, confirm: str = "") -> str:
    """A button of the page's action form; {url} is filled in per card (digits only)."""
    confirm_attr = format_html(' data-confirm="{}"', confirm) if confirm else ""
    return format_html(
        '<button type="submit" form="cal-actions" formaction="{{url}}" class="btn {}"{}>{}</button>',
        css,
        confirm_attr,
        label,
    )


def _link(css: str, label: str, aria: str = "") -> str:
    aria_attr = format_html(' aria-label="{}"', aria) if aria else ""
    return format_html('<a class="btn {}" href="{{url}}"{}>{}</a>', css, aria_attr, label)


@cache
def _words(_language: str | None) -> dict[str, str]:
    """The card's fixed HTML in the active language (the argument keys the cache), escaped once."""
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
        **{f"status-{value}": escape(label) for value, label in Appointment.Status.choices},
    }


def _flags(item: Item, words: dict[str, str]) -> str:
    if not item.flags:
        return ""
    text = escape("; ".join(f.label for f in item.flags))
    return f'<span class="cal-flag" title="{text}">⚠<span class="visually-hidden">{words["flags"]} {text}</span></span>'


def _actions(item: Item, a: Appointment, words: dict[str, str]) -> str:
    keys = []
    if item.can_check_in:
        keys.append("check_in")
    if item.can_no_show:
        keys.append("no_show")
    if a.status == Appointment.Status.BOOKED and not item.can_no_show:
        keys += ["move", "cancel"]
    if a.is_live:
        keys.append("ics")
    if item.frees_slot:
        keys.append("waitlist")
    return "".join(words[key].replace("{url}", item.urls[key]) for key in keys)


@register.simple_tag
def calendar_card(item: Item) -> SafeString:
    a = item.appointment
    words = _words(get_language())
    meta = [a.appointment_type.name]
    if item.step_label:
        meta.append(item.step_label)
    if a.room is not None:
        meta.append(a.room.name)
    name = escape(a.patient.full_name)
    start = f"{item.local_start:%H:%M}"
    status = words.get("status-" + a.status, a.status)
    confirmed = words["confirmed"] if a.status == Appointment.Status.BOOKED and a.patient_confirmed_at else ""
    if not a.series_id and a.is_live and getattr(a, "intake_done", False):
        # A first visit whose patient sent the intake and signed the consent (the day query's
        # `intake_done`); series sessions do not repeat it.
        confirmed += words["intake"]
    spacing = f'<div class="cal-spacing">{spacing_html(item.spacing)}</div>' if item.spacing else ""
    # Every variable part is escaped above or built by format_html.
    return mark_safe(
        f'<article id="appt-{a.pk}" class="cal-appt {item.css}" aria-label="{start} {name}">'
        f'<div><span class="cal-time">{start}–{item.local_end:%H:%M}</span> {_flags(item, words)} '
        f'<span class="badge text-bg-light border cal-status">{status}</span>{confirmed}</div>'
        f'<div class="cal-name"><a href="{item.urls["patient"]}">{name}</a></div>'
        f'<div class="cal-meta">{escape(" · ".join(meta))}</div>{spacing}'
        f'<div class="cal-actions">{_actions(item, a, words)}</div>'
        "</article>"
    )
