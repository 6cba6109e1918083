"""Turn a message, its send-time facts and the clinic's template into the words that go out.

The templates are edited by the clinic admin, so they are rendered by a bare template engine (no
loaders, no tag libraries to load) from a context of plain strings and numbers: no model object is
reachable from a template, and nothing clinical (condition, protocol, body part) is in the context
at all."""

import datetime as dt
import re
from dataclasses import dataclass

from django.template import Context, Engine
from django.template.loader import render_to_string
from django.utils import dateformat
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from clinic.localtime import to_local
from clinic.models import ClinicSettings

from .facts import SendFacts
from .models import Message, MessageTemplate
from .segments import gsm7_fold

TEXT_ENGINE = Engine(autoescape=False)
HTML_ENGINE = Engine(autoescape=True)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def when(value: dt.datetime) -> str:
    """ "Tuesday 3 March at 09:00" in the clinic's zone."""
    local = to_local(value)
    return _("%(day)s at %(time)s") % {"day": dateformat.format(local, "l j F"), "time": local.strftime("%H:%M")}


# A text lists at most this many dates (a series move); it counts the rest, their dates are behind its link.
SHORT_DATES_SHOWN = 3


def short_when(value: dt.datetime) -> str:
    """ "Tue 3 Mar 09:00" in the clinic's zone: a date a text can list several of."""
    local = to_local(value)
    return f"{dateformat.format(local, 'D j M')} {local:%H:%M}"


def _nsaid_after(clinic: ClinicSettings) -> str:
    if clinic.nsaid_avoid_days_after == 0:
        return _("until your last session is over")
    return _("for %(days)s days") % {"days": clinic.nsaid_avoid_days_after}


def _ice_advice(clinic: ClinicSettings) -> str:
    if clinic.ice_policy == ClinicSettings.IcePolicy.AVOID:
        return _("Warmth is fine; please do not use ice.")
    return _("Warmth is fine, and so are short spells of ice (10 minutes).")


def message_context(
    *, message: Message, facts: SendFacts, clinic: ClinicSettings, links: dict[str, str], unsubscribe: str
) -> dict:
    """Everything a template may use. Plain values only (see the module docstring)."""
    local_start = to_local(facts.start) if facts.start else None
    return {
        "clinic_name": clinic.name,
        "clinic_phone": clinic.phone,
        "clinic_email": clinic.email,
        "first_name": message.patient.first_name,
        "when": when(facts.start) if facts.start else "",
        "day": dateformat.format(local_start, "l j F") if local_start else "",
        "time": local_start.strftime("%H:%M") if local_start else "",
        "location": facts.location,
        "address": facts.address,
        "session_number": facts.session_number or "",
        "session_count": facts.session_count or "",
        "dates": [when(start) for start in facts.dates],
        "old_when": when(facts.previous) if facts.previous else "",
        "short_dates": [short_when(start) for start in facts.dates[:SHORT_DATES_SHOWN]],
        "more_dates": max(len(facts.dates) - SHORT_DATES_SHOWN, 0) or "",
        "weeks": message.data.get("weeks", ""),
        # A payment receipt's facts, written by billing when it queued the message.
        "amount": message.data.get("amount", ""),
        "paid_on": message.data.get("paid_on", ""),
        "method": message.data.get("method", ""),
        # A package expiry notice's, written by billing when it queued the message.
        "sessions_left": message.data.get("sessions_left", ""),
        "expires_on": message.data.get("expires_on", ""),
        "practitioner": facts.practitioner,
        # A move notice: the patient chose the new time, so "if it does not suit you" would be false.
        "by_patient": bool(message.data.get("by_patient")),
        "nsaid_pause_days": clinic.nsaid_pause_days_before,
        "nsaid_after": _nsaid_after(clinic),
        "ice_advice": _ice_advice(clinic),
        "short_url": "",
        "portal_url": "",
        "confirm_url": "",
        "cancel_url": "",
        "before_url": "",
        "checkin_url": "",
        "aftercare_url": "",
        "offer_url": "",
        **links,
        "unsubscribe_url": unsubscribe,
    }


_URL = re.compile(r"(https?://[^\s<>\"']+)")


class Compiled:
    """A template's parts parsed once per sweep batch, not once per message."""

    def __init__(self, template: MessageTemplate) -> None:
        self.channel = template.channel
        self.text = TEXT_ENGINE.from_string(template.text)
        self.subject = TEXT_ENGINE.from_string(template.subject)
        self.html = HTML_ENGINE.from_string(template.html) if template.html.strip() else None


def _linked(text: str) -> str:
    """The text as HTML paragraphs with its links clickable (urlize is ten times slower)."""
    return linebreaks(_URL.sub(r'<a href="\1">\1</a>', escape(text)), autoescape=False)


def render(template: "MessageTemplate | Compiled", context: dict) -> Rendered:
    if isinstance(template, MessageTemplate):
        template = Compiled(template)
    # A Context escapes by default whatever its engine says: the text and the subject are plain
    # text, so they are rendered without escaping; only the HTML part escapes, and only once.
    plain = Context(context, autoescape=False)
    text = template.text.render(plain).strip() + "\n"
    if template.channel != "email":
        return Rendered(subject="", text=gsm7_fold(text.strip()), html="")
    subject = " ".join(template.subject.render(plain).split())
    body = template.html.render(Context(context, autoescape=True)) if template.html else _linked(text)
    html = render_to_string("notifications/email.html", {"subject": subject, "body": body, "context": context})
    return Rendered(subject=subject[:200], text=text, html=html)


def template_check(source: str) -> None:
    """Raises TemplateSyntaxError for an admin's broken edit (the admin form shows it)."""
    TEXT_ENGINE.from_string(source)
