"""The sweep: claim due messages, re-check that each is still wanted, send it, record the outcome.

Exactly-once as far as a database can promise it: a row is claimed (status "sending" with a lease)
in a short transaction before anything leaves the building, so two sweeps never both send it. If a
worker dies between claiming and recording, the lease runs out and the next sweep claims the row
again: it may then go out a second time (the first attempt might have reached the provider), never
more, and the log says so."""

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.localtime import local_datetime, to_local
from clinic.models import ClinicSettings
from patients.models import Channel
from patients.tokens import portal_tokens_live

from .facts import SendFacts, facts_provider
from .links import portal_links, unsubscribe_tokens_issue, unsubscribe_url_for
from .models import Message, MessageTemplate
from .rendering import Compiled, Rendered, message_context, render
from .services import channel_for
from .sms import get_sms_backend

log = logging.getLogger(__name__)

# A claim is small: lanes running side by side each take their own share of a short backlog, and
# what a dead lane leaves claimed (never sent) waits for one lease only.
BATCH_SIZE = 20
# Long enough for a slow SMTP server, short enough that a dead worker's rows move on soon.
LEASE = dt.timedelta(seconds=getattr(settings, "MESSAGES_LEASE_SECONDS", 300))
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(hours=6)
HIDDEN_TOKEN = "(private-link)"
GAVE_UP_NOTE = "Claimed more times than the attempt limit without an outcome; given up."
RECLAIMED_NOTE = "Reclaimed after a worker stopped mid-send; it may have gone out once before."


@dataclass
class SweepResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    postponed: int = 0
    reclaimed: list[int] = field(default_factory=list)

    def merge(self, other: "SweepResult") -> None:
        for name in ("claimed", "sent", "retried", "failed", "skipped", "postponed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.reclaimed += other.reclaimed


# PostgreSQL claims in one statement (its own transaction): lock the oldest due rows other sweeps
# have not locked, mark them ours, and say which were "sending" before (a dead worker's).
_CLAIM_SQL = """
WITH picked AS (
    SELECT id, status FROM notifications_message
    WHERE (status = 'pending' AND send_at <= %(now)s) OR (status = 'sending' AND lease_until <= %(now)s)
    ORDER BY send_at, id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE notifications_message AS m
SET status = 'sending', claim_token = %(token)s, lease_until = %(lease)s, attempts = m.attempts + 1
FROM picked WHERE m.id = picked.id
RETURNING m.id, picked.status
"""


def _claim_rows(*, token: str, now: dt.datetime, limit: int) -> list[tuple[int, str]]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM_SQL, {"now": now, "limit": limit, "token": token, "lease": now + LEASE})
            return cursor.fetchall()
    due = Q(status=Message.Status.PENDING, send_at__lte=now) | Q(status=Message.Status.SENDING, lease_until__lte=now)
    with transaction.atomic():
        rows = list(Message.objects.filter(due).order_by("send_at", "id").values_list("id", "status")[:limit])
        if rows:
            # The due condition is repeated: without row locks (SQLite) this conditional update is
            # what stops two sweeps from claiming the same row.
            Message.objects.filter(due, id__in=[pk for pk, _ in rows]).update(
                status=Message.Status.SENDING, claim_token=token, lease_until=now + LEASE, attempts=F("attempts") + 1
            )
    return rows


def messages_claim(*, now: dt.datetime, limit: int = BATCH_SIZE) -> tuple[str, list[Message], list[int]]:
    """Claim up to `limit` due rows for this caller, with a lease from `now`. Returns the claim
    token, the rows and the ids of rows reclaimed from a dead worker."""
    token = secrets.token_hex(16)
    rows = _claim_rows(token=token, now=now, limit=limit)
    if not rows:
        return token, [], []
    claimed = list(
        Message.objects.filter(claim_token=token, status=Message.Status.SENDING)
        .select_related("patient")
        .order_by("send_at", "id")
    )
    ours = {m.pk for m in claimed}
    reclaimed = [pk for pk, status in rows if status == Message.Status.SENDING and pk in ours]
    for pk in reclaimed:
        log.warning("message %s: %s", pk, RECLAIMED_NOTE)
    return token, claimed, reclaimed


# Each outcome is written the moment it is known, in a single-row UPDATE (its own commit) that
# only touches the row while this claim still holds it: a crash re-sends at most the message that
# was with the provider at that instant (one per lane), never the batch before it. The rest of a
# dead claim was never sent; it goes out once after its lease.
RECORDED_ALWAYS = ("claim_token", "lease_until")


def _quiet_end(now: dt.datetime, clinic: ClinicSettings) -> dt.datetime | None:
    """The end of SMS quiet hours when `now` falls inside them (clinic zone), else None."""
    start, end = clinic.sms_quiet_start, clinic.sms_quiet_end
    if start == end:
        return None
    local = to_local(now)
    t = local.time()
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return local_datetime(day, end)


def _backoff(attempts: int) -> dt.timedelta:
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def _send(
    message: Message, rendered: Rendered, facts: SendFacts, unsubscribe: str, mail_connection, sms_backend
) -> tuple[str, str]:
    """Hand the message to its channel; returns (recipient, provider id)."""
    patient = message.patient
    if message.channel == Channel.SMS:
        return patient.phone, sms_backend.send(to=patient.phone, text=rendered.text)
    message_id = make_msgid(domain=settings.SITE_URL.split("://")[-1].split("/")[0].split(":")[0] or "prolo")
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        to=[patient.email],
        connection=mail_connection,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": message_id,
        },
    )
    email.attach_alternative(rendered.html, "text/html")
    for filename, content, mimetype in facts.attachments:
        email.attach(filename, content, mimetype)
    email.send()
    return patient.email, message_id


@dataclass
class _Batch:
    """What one claim shares: the token, the clinic, the compiled templates, the open channels."""

    token: str
    now: dt.datetime
    clinic: ClinicSettings
    templates: dict[tuple[str, str], Compiled]
    result: SweepResult

    def record(self, message: Message, **fields) -> None:
        """Write this message's outcome now, only where this claim still holds the row (a row
        whose lease ran out and was claimed by another sweep keeps that sweep's outcome)."""
        for name, value in fields.items():
            setattr(message, name, value)
        message.claim_token, message.lease_until = "", None
        Message.objects.filter(pk=message.pk, claim_token=self.token).update(
            **fields, channel=message.channel, claim_token="", lease_until=None
        )


def _deliver_batch(token: str, messages: list[Message], *, now: dt.datetime, result: SweepResult) -> None:
    clinic = ClinicSettings.load()
    templates = {(t.kind, t.channel): Compiled(t) for t in MessageTemplate.objects.all()}
    batch = _Batch(token=token, now=now, clinic=clinic, templates=templates, result=result)
    facts = facts_provider()(messages, now=now, clinic=clinic)
    ready: list[tuple[Message, SendFacts]] = []
    for message in messages:
        answer = facts.get(message.pk, _("Its appointment or series no longer exists."))
        # The channel is chosen now, from the patient's current preference and consent.
        channel = channel_for(message.patient)
        if channel:
            message.channel = channel  # written with the outcome
        if message.attempts > clinic.max_send_attempts:
            # Claimed again and again without an outcome: something kills the sweep on this row.
            batch.record(message, status=Message.Status.FAILED, last_error=GAVE_UP_NOTE)
            result.failed += 1
        elif isinstance(answer, str):
            batch.record(message, status=Message.Status.SKIPPED, last_error=answer[:500])
            result.skipped += 1
        elif channel is None:
            batch.record(
                message, status=Message.Status.SKIPPED, last_error=_("No consent to e-mail or text this patient.")
            )
            result.skipped += 1
        elif message.channel == Channel.SMS and (morning := _quiet_end(now, clinic)):
            # Not an attempt: give it back, due when quiet hours end.
            batch.record(message, status=Message.Status.PENDING, send_at=morning, attempts=message.attempts - 1)
            result.postponed += 1
        elif (message.kind, message.channel) not in templates:
            batch.record(message, status=Message.Status.FAILED, last_error=_("No template for this message."))
            result.failed += 1
        else:
            ready.append((message, answer))
    if ready:
        _send_all(batch, ready)


def _send_all(batch: _Batch, ready: list[tuple[Message, SendFacts]]) -> None:
    raw_tokens = portal_tokens_live(
        patient_ids={m.patient_id for m, _ in ready}, now=batch.now, days=batch.clinic.portal_link_days
    )
    unsubscribe_tokens = unsubscribe_tokens_issue(pairs={(m.patient_id, m.channel) for m, _ in ready}, now=batch.now)
    unsubscribe_links = {pair: unsubscribe_url_for(token) for pair, token in unsubscribe_tokens.items()}
    sms_backend = get_sms_backend()
    with get_connection() as mail_connection:
        for message, facts in ready:
            pair = (message.patient_id, message.channel)
            context = message_context(
                message=message,
                facts=facts,
                clinic=batch.clinic,
                links=portal_links(
                    raw_tokens[message.patient_id], message.appointment_id, offer_id=message.data.get("offer")
                ),
                unsubscribe=unsubscribe_links[pair],
            )
            rendered = render(batch.templates[(message.kind, message.channel)], context)
            try:
                to, provider_id = _send(message, rendered, facts, unsubscribe_links[pair], mail_connection, sms_backend)
            except Exception as exc:  # noqa: BLE001 (any channel failure is retried, never lost)
                _record_failure(batch, message, exc)
                continue
            # The log keeps the words as sent, minus the live portal and unsubscribe tokens: only
            # their hashes are stored anywhere, so a database leak must not reveal a working link.
            secrets_in_it = (raw_tokens[message.patient_id], unsubscribe_tokens[pair])
            batch.record(
                message,
                status=Message.Status.SENT,
                sent_at=batch.now,
                provider_id=provider_id[:120],
                to=to,
                subject=rendered.subject,
                text=_masked(rendered.text, secrets_in_it),
                html=_masked(rendered.html, secrets_in_it),
                last_error=RECLAIMED_NOTE if message.pk in batch.result.reclaimed else "",
            )
            batch.result.sent += 1


def _masked(text: str, secrets_in_it: tuple[str, ...]) -> str:
    for secret in secrets_in_it:
        text = text.replace(secret, HIDDEN_TOKEN)
    return text


def _record_failure(batch: _Batch, message: Message, exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}"[:500]
    if message.attempts >= batch.clinic.max_send_attempts:
        log.error("message %s failed for good after %s attempts: %s", message.pk, message.attempts, error)
        batch.record(message, status=Message.Status.FAILED, last_error=error)
        batch.result.failed += 1
    else:
        log.warning("message %s attempt %s failed, retrying: %s", message.pk, message.attempts, error)
        wait = _backoff(message.attempts)
        batch.record(message, status=Message.Status.PENDING, send_at=batch.now + wait, last_error=error)
        batch.result.retried += 1


def messages_sweep(
    *,
    now: dt.datetime,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    clock: Callable[[], dt.datetime] = timezone.now,
    concurrency: int | None = None,
) -> SweepResult:
    """Send everything due, claim after claim, until nothing due is left, in `concurrency` lanes
    side by side (MESSAGES_SWEEP_CONCURRENCY by default). Each lane has one message with the
    provider at a time and records its outcome as soon as the provider answers, so a process that
    dies re-sends at most one message per lane.

    The clock is read again for every claim (never earlier than `now`): under a backlog of several
    minutes, a batch claimed late gets its full lease from the moment it was claimed, so another
    sweep cannot take it back while it is still being sent."""
    lanes = max(1, concurrency if concurrency is not None else settings.MESSAGES_SWEEP_CONCURRENCY)
    if lanes == 1:
        result = _lane(now=now, batch_size=batch_size, max_batches=max_batches, clock=clock)
    else:
        result = SweepResult()
        with ThreadPoolExecutor(max_workers=lanes, thread_name_prefix="sweep-lane") as pool:
            runs = [
                pool.submit(_lane_thread, now=now, batch_size=batch_size, max_batches=max_batches, clock=clock)
                for _ in range(lanes)
            ]
            for run in runs:
                result.merge(run.result())
    if result.claimed:
        log.info(
            "sweep: %s claimed, %s sent, %s retried, %s failed, %s skipped, %s postponed",
            result.claimed,
            result.sent,
            result.retried,
            result.failed,
            result.skipped,
            result.postponed,
        )
    return result


def _lane_thread(**kwargs) -> SweepResult:
    try:
        return _lane(**kwargs)
    finally:
        connection.close()  # this thread's own connection


def _lane(
    *, now: dt.datetime, batch_size: int, max_batches: int | None, clock: Callable[[], dt.datetime]
) -> SweepResult:
    result = SweepResult()
    batches = 0
    while max_batches is None or batches < max_batches:
        claimed_at = max(now, clock())
        token, claimed, reclaimed = messages_claim(now=claimed_at, limit=batch_size)
        if not claimed:
            break
        batches += 1
        result.claimed += len(claimed)
        result.reclaimed += reclaimed
        _deliver_batch(token, claimed, now=claimed_at, result=result)
    return result
