"""The outbox's facts provider (settings.MESSAGES_FACTS_PROVIDER): billing answers for its own
payment receipts, package expiry notices and Good Faith Estimate notices, and hands every other
message to treatments' planner, which it wraps. A receipt or a notice needs no appointment: its
words come from the message's own data (amount, date, method; sessions left, expiry date; the
estimate's total, the balance), written when it was queued, and the location's name."""

from __future__ import annotations

import datetime as dt

from clinic.models import ClinicSettings, Location
from notifications.facts import SendFacts
from notifications.models import Message
from treatments.scheduling.messaging import message_facts as treatment_facts

from .models import Package
from .services.accounts import BALANCE_KIND
from .services.checkout import RECEIPT_KIND
from .services.documents import ESTIMATE_KIND
from .services.package_ends import EXPIRY_KIND


def message_facts(
    messages: list[Message], *, now: dt.datetime, clinic: ClinicSettings | None = None
) -> dict[int, SendFacts | str]:
    receipts = [m for m in messages if m.kind == RECEIPT_KIND]
    expiries = [m for m in messages if m.kind == EXPIRY_KIND]
    estimates = [m for m in messages if m.kind in (ESTIMATE_KIND, BALANCE_KIND)]
    others = [m for m in messages if m.kind not in (RECEIPT_KIND, EXPIRY_KIND, ESTIMATE_KIND, BALANCE_KIND)]
    answers: dict[int, SendFacts | str] = treatment_facts(others, now=now, clinic=clinic) if others else {}
    names = {m.data.get("location", "") for m in receipts}
    addresses = dict(Location.objects.filter(name__in=names).values_list("name", "address")) if receipts else {}
    for message in receipts:
        name = message.data.get("location", "")
        answers[message.pk] = SendFacts(location=name, address=addresses.get(name, ""))
    # A package expiry notice is still wanted only while the package is active (not used up,
    # closed or expired since it was queued).
    active = (
        set(
            Package.objects.filter(
                pk__in=[m.data.get("package_id") for m in expiries], status=Package.Status.ACTIVE
            ).values_list("pk", flat=True)
        )
        if expiries
        else set()
    )
    for message in expiries:
        if message.data.get("package_id") in active:
            answers[message.pk] = SendFacts()
        else:
            answers[message.pk] = "the package is no longer active"
    # A Good Faith Estimate's notice and a balance reminder need nothing beyond their own data (the
    # amount, written when queued).
    for message in estimates:
        answers[message.pk] = SendFacts()
    return answers
