"""What an admin's template edit is checked against before it is saved, and what its preview
shows: the placeholders it may use, and for a text, the segments it costs when rendered with the
longest sample values the clinic can produce (a 40-character clinic name, the longest day and
month, a real-length short link)."""

import datetime as dt
from dataclasses import dataclass
from typing import cast

from django.template.base import FilterExpression, Node, NodeList, Variable, VariableNode
from django.template.defaulttags import ForNode, IfNode

from clinic.localtime import clinic_zone
from clinic.models import ClinicSettings
from patients.models import Patient

from .facts import SendFacts
from .links import portal_links
from .models import Message, MessageTemplate
from .rendering import TEXT_ENGINE, Rendered, message_context, render
from .segments import SegmentCount, sms_segments

SAMPLE_CLINIC_NAME_LENGTH = 40
# Every text is counted with both: a name in the GSM-7 alphabet, and one that stays outside it
# after folding (Ł has no GSM-7 twin), which turns the whole text into UCS-2 (134 characters in
# two segments instead of 306). The default texts leave the name out for that reason.
SAMPLE_NAMES = ("Alexandrina", "Zoë Łukasiewicz")
SAMPLE_LATER_DATES = 5
# A real token's length (patients.tokens.TOKEN_BYTES in base64): the budget counts the real link.
SAMPLE_TOKEN = "S" * 22
SAMPLE_UNSUBSCRIBE_URL = "https://example.invalid/messages/unsubscribe/" + "u" * 60 + "/"


def _longest_session() -> dt.datetime:
    """Wednesday 30 September at 09:00: the longest day and month names a date can have."""
    return dt.datetime(2026, 9, 30, 9, 0, tzinfo=clinic_zone())


def _sample_facts() -> SendFacts:
    """The longest facts a message can carry. Every placeholder of `message_context` is filled from
    these, so one the sender fills must have a value here too (a test checks none is left empty)."""
    start = _longest_session()
    # A series move lists its later sessions: one more than a text shows, so "and N more" counts too.
    later = tuple(start + dt.timedelta(weeks=n) for n in range(1, SAMPLE_LATER_DATES + 1))
    return SendFacts(
        start=start,
        location="Main Street practice",
        address="1200 North Lake Shore Drive, Chicago",
        session_number=3,
        session_count=4,
        dates=later,
        previous=start - dt.timedelta(weeks=1),
        practitioner="Dr Alexandrina Featherstonehaugh",
    )


def sample_context(*, clinic: ClinicSettings, first_name: str = SAMPLE_NAMES[0]) -> dict:
    """What the sender's own `message_context` makes of the longest sample values: the budget
    counts exactly the placeholders a real message has, with nothing listed twice."""
    # Billing's messages carry their facts in the message's data: a payment receipt's (a large
    # amount, the longest date) and a package expiry notice's (the most sessions, the longest date).
    data = {
        "weeks": 12,
        "amount": "$12,345.00",
        "paid_on": "30 September 2026",
        "method": "Card (clinic terminal)",
        "sessions_left": 12,
        "expires_on": "30 September 2026",
    }
    message = Message(kind="reminder", channel="sms", data=data, patient=Patient(first_name=first_name))
    context = message_context(
        message=message,
        facts=_sample_facts(),
        clinic=clinic,
        links=portal_links(SAMPLE_TOKEN, 123456, offer_id=123456),
        unsubscribe=SAMPLE_UNSUBSCRIBE_URL,
    )
    # The clinic's own name stretched to 40 characters, so an accent that forces UCS-2 counts too.
    context["clinic_name"] = clinic.name[:SAMPLE_CLINIC_NAME_LENGTH].ljust(SAMPLE_CLINIC_NAME_LENGTH, "x")
    return context


def known_names() -> frozenset[str]:
    """The placeholders a template may use: exactly what the sender puts in its context."""
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
                # The parser builds a FilterExpression and NodeLists; the stubs also allow strings.
                used.extend(n for n in _names_in(cast(FilterExpression, node.sequence)) if n not in local)
                walk(list(cast(NodeList, node.nodelist_loop)), local | set(node.loopvars))
                walk(list(cast(NodeList, node.nodelist_empty) or []), local)
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
    segments: SegmentCount | None  # texts only: the worst over the sample names
    first_name: str = SAMPLE_NAMES[0]  # the sample name that cost the most


def template_preview(*, kind: str, channel: str, subject: str, text: str, html: str, clinic: ClinicSettings) -> Preview:
    """The template rendered with sample data; a text is counted once per sample name and the
    costlier rendering is the one shown (the same worst case the edit form refuses)."""
    template = MessageTemplate(kind=kind, channel=channel, subject=subject, text=text, html=html)
    if channel != "sms":
        return Preview(rendered=render(template, sample_context(clinic=clinic)), segments=None)
    previews = []
    for name in SAMPLE_NAMES:
        rendered = render(template, sample_context(clinic=clinic, first_name=name))
        previews.append(Preview(rendered=rendered, segments=sms_segments(rendered.text), first_name=name))
    # Every text preview here has its count (segments is None for e-mails only).
    return max(
        previews,
        key=lambda preview: (cast(SegmentCount, preview.segments).segments, -SAMPLE_NAMES.index(preview.first_name)),
    )
