"""What the outbox asks its planner at send time. notifications sits below treatments, so it never
reads appointments itself: the planner named by MESSAGES_FACTS_PROVIDER (treatments.scheduling.messaging by
default) answers for a whole batch with plain facts, or with the reason a message is no longer
wanted."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_PROVIDER = "treatments.scheduling.messaging.message_facts"


@dataclass(frozen=True)
class SendFacts:
    start: dt.datetime | None = None  # the session the message is about (UTC)
    location: str = ""
    address: str = ""
    session_number: int | None = None
    session_count: int | None = None
    dates: tuple[dt.datetime, ...] = ()  # every session of a series (confirmation); the others a change touched
    previous: dt.datetime | None = None  # a change notice: the time the patient knew before
    practitioner: str = ""  # a confirmation: who the patient will see (the one "anyone available" found)
    attachments: tuple[tuple[str, str, str], ...] = ()  # (filename, content, mimetype)


# (messages, *, now, clinic) -> message id -> facts, or a short reason (shown in the log) why it
# must not be sent.
FactsProvider = Callable[..., dict[int, "SendFacts | str"]]


def facts_provider() -> FactsProvider:
    return import_string(getattr(settings, "MESSAGES_FACTS_PROVIDER", DEFAULT_PROVIDER))
