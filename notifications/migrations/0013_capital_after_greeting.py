"""The e-mails' first sentence after "Hello Jane," starts with a capital letter ("Your sessions at
... are booked", not "your sessions"). A template the clinic has edited is left as the clinic wrote
it: only a row still holding the starting words, as they were before this change, is replaced."""

import re

from django.db import migrations

GREETING = "Hello {{ first_name }},\n\n"
# The words before this change, from the new ones: the first letter after the greeting (and after
# the confirmation's {% if %}) was small, and so were these branches.
BRANCHES = [
    (
        "{% if by_patient %}As you asked, your{% else %}Your{% endif %} session at",
        "{% if by_patient %}as you asked, {% endif %}your session at",
    ),
    ("{% else %}Your appointment at", "{% else %}your appointment at"),
]
FIRST_LETTER = re.compile(r"^((?:\{% if session_count %\})?)([A-Z])")
# Migration 0014 then called a single visit an appointment: the words as this migration wrote them.
VISIT = "{% if session_number %}session{% else %}appointment{% endif %}"


def _at_the_time(text: str) -> str:
    return text.replace(VISIT, "session")


def _before(text: str) -> str:
    text = _at_the_time(text)
    head, _greeting, body = text.partition(GREETING)
    if not _greeting:
        return text
    for new, old in BRANCHES:
        body = body.replace(new, old)
    body = FIRST_LETTER.sub(lambda m: m.group(1) + m.group(2).lower(), body)
    return head + GREETING + body


def _swap(apps, *, forward: bool) -> None:
    from notifications.defaults import DEFAULTS

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for (kind, channel), words in DEFAULTS.items():
        new = _at_the_time(words["text"])
        old = _before(new)
        if old == new:
            continue
        have, want = (old, new) if forward else (new, old)
        MessageTemplate.objects.filter(kind=kind, channel=channel, text=have).update(text=want)


def forward(apps, schema_editor):
    _swap(apps, forward=True)


def backward(apps, schema_editor):
    _swap(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0012_unsubscribe_links")]

    operations = [migrations.RunPython(forward, backward)]
