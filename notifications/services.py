"""Writes to the outbox. Planning is idempotent (a unique dedupe key per message), and every write
here runs inside the caller's transaction when there is one, so a booking and its messages commit
or roll back together.

One message per moment, whatever the channel: the dedupe key names the appointment (or series),
the kind and the moment, never the channel. The channel stored on a pending row is the one it
would go by now; the sweep chooses again at send time from the patient's current preference and
consent, and a change of either re-plans the pending rows at once (`messages_replan_channel`)."""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from patients.models import Channel, Patient

from .models import Message

log = logging.getLogger(__name__)

# Rows that may still change: planning re-times them, cancelling cancels them.
OPEN = (Message.Status.PENDING,)
# Rows a new plan may bring back (an appointment re-instated, a session moved into the future).
REVIVABLE = (Message.Status.CANCELLED, Message.Status.SKIPPED)


@dataclass(frozen=True)
class Planned:
    """One message a caller wants: `key` names it without the channel, e.g. "appt:42:reminder"."""

    key: str
    kind: str
    send_at: dt.datetime
    appointment_id: int | None = None
    series_id: int | None = None
    data: dict = field(default_factory=dict)


def channel_for(patient: Patient) -> str | None:
    """The preferred channel when consented, else the other consented one, else None."""
    preferred = patient.preferred_channel
    other = Channel.SMS if preferred == Channel.EMAIL else Channel.EMAIL
    for channel in (preferred, other):
        if patient.has_consent(channel):
            return channel
    return None


def messages_plan(*, patient: Patient, wanted: list[Planned], now: dt.datetime) -> list[Message]:
    """Store the wanted messages once: new ones are created, pending ones re-timed, cancelled or
    skipped ones revived; sent, failed and in-flight ones are left alone. Without any consented
    channel the rows are stored as skipped, so the desk sees why nothing went out."""
    if not wanted:
        return []
    channel = channel_for(patient)
    stored_channel = channel or patient.preferred_channel
    keys = {p.key: p for p in wanted}
    with transaction.atomic():
        existing = {m.dedupe_key: m for m in Message.objects.select_for_update().filter(dedupe_key__in=keys)}
        new = []
        for key, plan in keys.items():
            row = existing.get(key)
            if row is None:
                new.append(
                    Message(
                        patient=patient,
                        appointment_id=plan.appointment_id,
                        series_id=plan.series_id,
                        channel=stored_channel,
                        kind=plan.kind,
                        data=plan.data,
                        dedupe_key=key,
                        send_at=plan.send_at,
                        created_at=now,
                        status=Message.Status.PENDING if channel else Message.Status.SKIPPED,
                        last_error="" if channel else _("No consent to e-mail or text this patient."),
                    )
                )
            elif row.status in OPEN and (_retimed(row, plan, now) or row.channel != stored_channel):
                Message.objects.filter(pk=row.pk, status__in=OPEN).update(
                    send_at=plan.send_at if _retimed(row, plan, now) else row.send_at,
                    data=plan.data,
                    channel=stored_channel,
                )
            elif row.status in REVIVABLE and channel:
                Message.objects.filter(pk=row.pk, status__in=REVIVABLE).update(
                    status=Message.Status.PENDING,
                    channel=channel,
                    send_at=plan.send_at,
                    data=plan.data,
                    last_error="",
                    attempts=0,
                )
        try:
            # A savepoint: two writers planning the same key at once must not break the caller.
            with transaction.atomic():
                Message.objects.bulk_create(new)
        except IntegrityError:
            Message.objects.bulk_create(new, ignore_conflicts=True)
    return new


def _retimed(row: Message, plan: Planned, now: dt.datetime) -> bool:
    # Already due and still wanted as soon as possible: re-planning must not push it back.
    both_due = row.send_at <= now and plan.send_at <= now
    return row.data != plan.data or (row.send_at != plan.send_at and not both_due)


def messages_cancel(
    *,
    reason: str,
    appointment_id: int | None = None,
    series_id: int | None = None,
    kinds: Iterable[str] | None = None,
    appointment_ids: list[int] | None = None,
    due_by: dt.datetime | None = None,
) -> int:
    """Cancel the pending messages of an appointment (or several) or a series, with `due_by` only
    those due by then. Rows already being sent are re-checked by the sweep before they go out."""
    if appointment_id is None and series_id is None and not appointment_ids:
        raise ValueError("Name an appointment or a series.")
    rows = Message.objects.filter(status__in=OPEN)
    if appointment_id is not None:
        rows = rows.filter(appointment_id=appointment_id)
    if appointment_ids:
        rows = rows.filter(appointment_id__in=appointment_ids)
    if series_id is not None:
        rows = rows.filter(series_id=series_id)
    if kinds:
        rows = rows.filter(kind__in=kinds)
    if due_by is not None:
        rows = rows.filter(send_at__lte=due_by)
    return rows.update(status=Message.Status.CANCELLED, last_error=reason[:500])


NO_CONSENT_LEFT = "The patient withdrew consent to every channel; nothing can be sent."


def messages_replan_channel(*, patient: Patient) -> int:
    """The patient's preference or consent changed: their pending messages follow it, in the
    caller's transaction. With no consented channel left they are cancelled, and the log says
    why. Returns the number of rows changed."""
    pending = Message.objects.filter(patient_id=patient.pk, status__in=OPEN)
    channel = channel_for(patient)
    if channel is None:
        return pending.update(status=Message.Status.CANCELLED, last_error=_(NO_CONSENT_LEFT))
    return pending.exclude(channel=channel).update(channel=channel)


def channel_unsubscribe(*, patient_id: int, channel: str) -> bool:
    """The patient's one-click unsubscribe: withdraw consent for the channel; what is waiting on it
    moves to the other consented channel, or is cancelled when there is none. Returns False when
    there was nothing to withdraw (a second click)."""
    consent_field = "email_consent_at" if channel == Channel.EMAIL else "sms_consent_at"
    with transaction.atomic():
        changed = Patient.objects.filter(pk=patient_id, **{f"{consent_field}__isnull": False}).update(
            **{consent_field: None}
        )
        patient = Patient.objects.filter(pk=patient_id).first()
        if patient is not None:
            messages_replan_channel(patient=patient)
    if changed:
        log.info("patient %s unsubscribed from %s", patient_id, channel)
    return bool(changed)


def message_resend(*, message_id: int, now: dt.datetime) -> bool:
    """The desk's resend button: a failed message goes back to the queue for a fresh set of
    attempts. Only failed messages qualify; anything else returns False."""
    updated = Message.objects.filter(pk=message_id, status=Message.Status.FAILED).update(
        status=Message.Status.PENDING, send_at=now, attempts=0, lease_until=None, claim_token=""
    )
    return bool(updated)
