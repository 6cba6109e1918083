"""The outbox's facts provider (settings.MESSAGES_FACTS_PROVIDER): billing answers for its own
payment receipts and hands every other message to treatments' planner, which it wraps. A receipt
needs no appointment: its words come from the message's own data (amount, date, method), written
when it was queued, and the location's name."""

from __future__ import annotations

import datetime as dt

from clinic.models import ClinicSettings, Location
from notifications.facts import SendFacts
from notifications.models import Message
from treatments.scheduling.messaging import message_facts as treatment_facts

from .services.checkout import RECEIPT_KIND


def message_facts(
    messages: list[Message], *, now: dt.datetime, clinic: ClinicSettings | None = None
) -> dict[int, SendFacts | str]:
    receipts = [m for m in messages if m.kind == RECEIPT_KIND]
    others = [m for m in messages if m.kind != RECEIPT_KIND]
    answers: dict[int, SendFacts | str] = treatment_facts(others, now=now, clinic=clinic) if others else {}
    names = {m.data.get("location", "") for m in receipts}
    addresses = dict(Location.objects.filter(name__in=names).values_list("name", "address")) if receipts else {}
    for message in receipts:
        name = message.data.get("location", "")
        answers[message.pk] = SendFacts(location=name, address=addresses.get(name, ""))
    return answers
