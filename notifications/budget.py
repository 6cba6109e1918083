"""What an admin's template edit is checked against before it is saved, and what its preview
shows: the placeholders it may use, and for a text, the segments it costs when rendered with the
longest sample values the clinic can produce (a 40-character clinic name, the longest day and
month, a real-length short link)."""

import datetime as dt
from dataclasses import dataclass

from django.template.base import FilterExpression, Node, Variable, VariableNode
from django.template.defaulttags import ForNode, IfNode

from clinic.models import ClinicSettings, clinic_zone
from patients.models import Patient
from patients.tokens import portal_short_url

from .links import portal_links
from .rendering import TEXT_ENGINE, Rendered, render
from .segments import SegmentCount, sms_segments

SAMPLE_CLINIC_NAME_LENGTH = 40
# A real token's length (patients.tokens.TOKEN_BYTES in base64): the budget counts the real link.
SAMPLE_TOKEN = "S" * 22


def _longest_session() -> dt.datetime:
    """Wednesday 30 September at 09:00: the longest day and month names a date can have."""
    return dt.datetime(2026, 9, 30, 9, 0, tzinfo=clinic_zone())


def sample_context(*, clinic: ClinicSettings) -> dict:
    from .rendering import _ice_advice, _nsaid_after, when

    # The clinic's own name stretched to 40 characters, so an accent that forces UCS-2 counts too.
    name = clinic.name[:SAMPLE_CLINIC_NAME_LENGTH].ljust(SAMPLE_CLINIC_NAME_LENGTH, "x")
    start = _longest_session()
    dates = [when(start + dt.timedelta(weeks=n)) for n in range(4)]
    return {
        "clinic_name": name,
        "clinic_phone": clinic.phone,
        "clinic_email": clinic.email,
        "first_name": "Alexandrina",
        "when": when(start),
        "day": "Wednesday 30 September",
        "time": "09:00",
        "location": "Main Street practice",
        "address": "1200 North Lake Shore Drive, Chicago",
        "session_number": 3,
        "session_count": 4,
        "dates": dates,
        "weeks": 12,
        "nsaid_pause_days": clinic.nsaid_pause_days_before,
        "nsaid_after": _nsaid_after(clinic),
        "ice_advice": _ice_advice(clinic),
        **portal_links(SAMPLE_TOKEN, 123456),
        "short_url": portal_short_url(SAMPLE_TOKEN),
        "unsubscribe_url": "https://example.invalid/messages/unsubscribe/" + "u" * 60 + "/",
    }


def known_names() -> frozenset[str]:
    """The placeholders a template may use: exactly what the sender puts in its context."""
    from .facts import SendFacts
    from .models import Message
    from .rendering import message_context

    message = Message(kind="reminder", channel="sms", data={}, patient=Patient(first_name=""))
    context = message_context(message=message, facts=SendFacts(), clinic=ClinicSettings(), links={}, unsubscribe="")
    return frozenset(context) | {"forloop"}


def _names_in(expression: FilterExpression) -> list[str]:
    var = expression.var
    names = [str(var.var).split(".")[0]] if isinstance(var, Variable) and var.lookups else []
    for _func, args in expression.filters:
        for is_var, arg in args:
            if is_var and isinstance(arg, Variable) and arg.lookups:
                names.append(arg.lookups[0])
    return names


def _condition_names(condition) -> list[str]:
    if condition is None:
        return []
    if hasattr(condition, "value") and isinstance(getattr(condition, "value", None), FilterExpression):
        return _names_in(condition.value)
    return _condition_names(getattr(condition, "first", None)) + _condition_names(getattr(condition, "second", None))


def unknown_placeholders(source: str) -> list[str]:
    """Names the template reads that the sender never fills in (a typo would go out blank)."""
    allowed = set(known_names())
    used: list[str] = []

    def walk(nodes: list[Node], local: set[str]) -> None:
        for node in nodes:
            if isinstance(node, VariableNode):
                used.extend(n for n in _names_in(node.filter_expression) if n not in local)
            elif isinstance(node, ForNode):
                used.extend(n for n in _names_in(node.sequence) if n not in local)
                walk(list(node.nodelist_loop), local | set(node.loopvars))
                walk(list(node.nodelist_empty or []), local)
            elif isinstance(node, IfNode):
                for condition, nodelist in node.conditions_nodelists:
                    used.extend(n for n in _condition_names(condition) if n not in local)
                    walk(list(nodelist), local)
            else:
                for attr in getattr(node, "child_nodelists", ()):
                    walk(list(getattr(node, attr, None) or []), local)

    walk(list(TEXT_ENGINE.from_string(source).nodelist), set())
    return sorted({name for name in used if name not in allowed})


@dataclass(frozen=True)
class Preview:
    rendered: Rendered
    segments: SegmentCount | None  # texts only


def template_preview(*, kind: str, channel: str, subject: str, text: str, html: str, clinic: ClinicSettings) -> Preview:
    from .models import MessageTemplate

    template = MessageTemplate(kind=kind, channel=channel, subject=subject, text=text, html=html)
    rendered = render(template, sample_context(clinic=clinic))
    return Preview(rendered=rendered, segments=sms_segments(rendered.text) if channel == "sms" else None)
