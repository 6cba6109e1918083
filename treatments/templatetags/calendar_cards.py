"""One appointment card of the desk calendar, built in Python: a busy day has hundreds of cards
and the template language spent most of the page's time resolving their variables."""

from django import template
from django.middleware.csrf import get_token
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from treatments.models import Appointment
from treatments.scheduling.selectors.calendar import Item
from treatments.templatetags.series_notes import spacing_html

register = template.Library()


def _post_button(url: str, csrf: str, label: str, css: str, confirm: str = "") -> SafeString:
    confirm_attr = format_html(' data-confirm="{}"', confirm) if confirm else ""
    return format_html(
        '<form method="post" action="{}"{}><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<button type="submit" class="btn {}">{}</button></form>',
        url,
        confirm_attr,
        csrf,
        css,
        label,
    )


def _link(url: str, label: str, css: str = "btn-outline-secondary", aria: str = "") -> SafeString:
    aria_attr = format_html(' aria-label="{}"', aria) if aria else ""
    return format_html('<a class="btn {}" href="{}"{}>{}</a>', css, url, aria_attr, label)


def _flags(item: Item) -> SafeString:
    if not item.flags:
        return mark_safe("")
    text = "; ".join(f.label for f in item.flags)
    return format_html(
        '<span class="cal-flag" title="{}">⚠<span class="visually-hidden">{} {}</span></span>',
        text,
        _("Screening flags:"),
        text,
    )


def _confirmed(a: Appointment) -> SafeString:
    """The patient said "I will be there" (portal button or a C reply by text)."""
    if a.status != Appointment.Status.BOOKED or not a.patient_confirmed_at:
        return mark_safe("")
    return format_html(' <span class="badge text-bg-success cal-confirmed">{}</span>', _("Confirmed"))


def _intake_done(a: Appointment) -> SafeString:
    """A first visit whose patient sent the intake form and signed the consent (the day query's
    `intake_done`); series sessions do not repeat it."""
    if a.series_id or not a.is_live or not getattr(a, "intake_done", False):
        return mark_safe("")
    return format_html(' <span class="badge text-bg-info cal-intake">{}</span>', _("Intake done"))


@register.simple_tag(takes_context=True)
def calendar_card(context, item: Item) -> SafeString:
    a = item.appointment
    csrf = get_token(context["request"])
    actions = []
    if item.can_check_in:
        actions.append(_post_button(item.urls["check_in"], csrf, _("Check in"), "btn-success"))
    if item.can_no_show:
        actions.append(
            _post_button(
                item.urls["no_show"], csrf, _("No-show"), "btn-outline-danger", _("Mark this appointment as a no-show?")
            )
        )
    if a.status == Appointment.Status.BOOKED and not item.can_no_show:
        actions.append(_link(item.urls["move"], _("Move")))
        actions.append(_link(item.urls["cancel"], _("Cancel")))
    if a.is_live:
        actions.append(_link(item.urls["ics"], ".ics", aria=_("Add to calendar (.ics)")))
    if item.frees_slot:
        actions.append(_link(item.urls["waitlist"], _("Waitlist"), "btn-outline-primary"))
    meta = [a.appointment_type.name]
    if item.step_label:
        meta.append(item.step_label)
    if a.room_id:
        meta.append(a.room.name)
    times = f"{item.local_start:%H:%M}–{item.local_end:%H:%M}"
    return format_html(
        '<article id="appt-{}" class="cal-appt {}" aria-label="{} {}">'
        '<div><span class="cal-time">{}</span> {} <span class="badge text-bg-light border cal-status">{}</span>{}</div>'
        '<div class="cal-name"><a href="{}">{}</a></div>'
        '<div class="cal-meta">{}</div>{}'
        '<div class="cal-actions">{}</div>'
        "</article>",
        a.pk,
        item.css,
        f"{item.local_start:%H:%M}",
        a.patient.full_name,
        times,
        _flags(item),
        a.get_status_display(),
        _confirmed(a) + _intake_done(a),
        item.urls["patient"],
        a.patient.full_name,
        " · ".join(meta),
        format_html('<div class="cal-spacing">{}</div>', spacing_html(item.spacing)) if item.spacing else "",
        format_html_join("", "{}", ((action,) for action in actions)),
    )
