"""The patient's account at the desk (issue 23): the billing details the superbill prints (address,
insurer, member id, self-pay), and reminders of what the patient owes — one pressed by the desk,
and the clinic's schedule (`BillingPolicy.balance_reminder_days`) run by beat. A reminder is a
`balance` message in the outbox with the amount and the portal link only: never what the visits
were for. Keyword-only, typed, each owns its transaction, takes `now`; audited, and each change
kept in the patient's billing history (BillingEvent)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from billing.models import BillingEvent, BillingPolicy, Invoice, PatientBillingDetails
from billing.money import format_money
from clinic.audit import audit_record
from clinic.localtime import local_date
from clinic.models import AuditEntry
from notifications.models import Message
from notifications.services import Planned, channel_for, messages_plan
from patients.models import Patient

from ._common import BillingError

BALANCE_KIND = "balance"
DETAIL_FIELDS = ("address", "payer", "member_id", "self_pay")


def billing_details_save(
    *,
    patient_id: int,
    address: str,
    payer: str,
    member_id: str,
    self_pay: bool,
    by: User,
    now: dt.datetime,
    ip: str | None = None,
) -> PatientBillingDetails:
    """What the superbill prints about the patient, as the desk typed it (trimmed; the lengths are
    the form's). The history names the fields changed, never their values."""
    values: dict[str, str | bool] = {
        "address": " ".join(address.split()),
        "payer": payer.strip(),
        "member_id": member_id.strip(),
        "self_pay": self_pay,
    }
    for name, limit in (("address", 250), ("payer", 120), ("member_id", 40)):
        if len(str(values[name])) > limit:
            raise BillingError(_("That is too long: at most %(n)d characters.") % {"n": limit})
    with transaction.atomic():
        patient = Patient.objects.select_for_update().filter(pk=patient_id).first()
        if patient is None:
            raise BillingError(_("That patient does not exist."))
        details = PatientBillingDetails.objects.filter(patient=patient).first()
        created = details is None
        if details is None:
            details = PatientBillingDetails(patient=patient)
        changed = [name for name in DETAIL_FIELDS if values[name] != getattr(details, name)]
        if not changed and not created:
            return details
        for name in DETAIL_FIELDS:
            setattr(details, name, values[name])
        details.save()
        words = {"address": _("address"), "payer": _("insurer"), "member_id": _("member id"), "self_pay": _("self-pay")}
        labels = [words[name] for name in changed]
        BillingEvent.objects.create(
            patient=patient,
            action=BillingEvent.Action.DETAILS_CHANGED,
            detail=(", ".join(labels) or _("saved as they were"))[:300],
            at=now,
            by=by,
        )
        audit_record(
            request=None,
            action=AuditEntry.Action.CREATE if created else AuditEntry.Action.CHANGE,
            obj=details,
            patient_id=patient.pk,
            user=by,
            ip=ip,
        )
    return details


def amount_owed(patient_id: int) -> int:
    """What the patient owes: the balances of their issued invoices (one query)."""
    owed = Invoice.objects.filter(patient_id=patient_id, status=Invoice.Status.ISSUED, balance__gt=0).aggregate(
        s=Sum("balance")
    )["s"]
    return int(owed or 0)


@dataclass(frozen=True)
class Reminder:
    message: Message | None  # None: this attempt had already queued it (a double click)
    amount: int
    channel: str  # patients.models.Channel


def _remind(*, patient: Patient, owed: int, key: str, by: User | None, now: dt.datetime, ip: str | None) -> Reminder:
    channel = channel_for(patient)
    assert channel is not None  # the callers checked consent
    planned = messages_plan(
        patient=patient,
        wanted=[Planned(key=key, kind=BALANCE_KIND, send_at=now, data={"amount": format_money(owed)})],
        now=now,
    )
    if not planned:
        return Reminder(message=None, amount=owed, channel=channel)
    BillingEvent.objects.create(
        patient=patient, action=BillingEvent.Action.BALANCE_REMINDER, amount=owed, detail=channel, at=now, by=by
    )
    audit_record(request=None, action=AuditEntry.Action.CREATE, obj=planned[0], patient_id=patient.pk, user=by, ip=ip)
    return Reminder(message=planned[0], amount=owed, channel=channel)


def balance_reminder(
    *, patient_id: int, attempt_key: uuid.UUID, by: User | None, now: dt.datetime, ip: str | None = None
) -> Reminder:
    """Queue a reminder of what the patient still owes (issued invoices' balances) in the outbox:
    the amount and their portal link only. The attempt key makes a double click one message (the
    second answer's `message` is None). Refused when nothing is owed, or when the patient has not
    agreed to e-mail or texts (nothing could go out)."""
    with transaction.atomic():
        patient = Patient.objects.select_for_update().filter(pk=patient_id).first()
        if patient is None:
            raise BillingError(_("That patient does not exist."))
        owed = amount_owed(patient_id)
        if owed <= 0:
            raise BillingError(_("%(name)s owes nothing: there is no balance to remind them of.") % {"name": patient})
        if channel_for(patient) is None:
            raise BillingError(
                _("%(name)s has not agreed to e-mails or texts: no reminder can be sent. Tell them in person.")
                % {"name": patient}
            )
        return _remind(patient=patient, owed=owed, key=f"balance:{patient_id}:{attempt_key}", by=by, now=now, ip=ip)


def balance_reminders_sweep(*, now: dt.datetime) -> int:
    """The clinic's schedule (`BillingPolicy.balance_reminder_days` = N, 0 = off): a patient with an
    issued invoice unpaid N days or more after its issue date (clinic-local) is reminded of what
    they owe — unless a balance reminder (the desk's or this one's) was queued for them in the last
    N days, or they have agreed to no channel. Each patient is locked and checked again before the
    message, and the message's key names the day, so two sweeps at once queue one. Returns how many
    were queued. Run hourly by beat (billing.balance_reminders)."""
    days = BillingPolicy.current().balance_reminder_days
    if not days:
        return 0
    period = dt.timedelta(days=days)
    overdue_since = local_date(now) - period
    due = set(
        Invoice.objects.filter(status=Invoice.Status.ISSUED, balance__gt=0, issue_date__lte=overdue_since)
        .values_list("patient_id", flat=True)
        .distinct()
    )
    due -= set(
        Message.objects.filter(patient_id__in=due, kind=BALANCE_KIND, created_at__gt=now - period).values_list(
            "patient_id", flat=True
        )
    )
    queued = 0
    for patient_id in sorted(due):
        with transaction.atomic():
            patient = Patient.objects.select_for_update().filter(pk=patient_id).first()
            if patient is None or channel_for(patient) is None:
                continue
            recent = Message.objects.filter(patient_id=patient_id, kind=BALANCE_KIND, created_at__gt=now - period)
            owed = amount_owed(patient_id)
            if owed <= 0 or recent.exists():
                continue
            key = f"balance:{patient_id}:due:{local_date(now).isoformat()}"
            if _remind(patient=patient, owed=owed, key=key, by=None, now=now, ip=None).message is not None:
                queued += 1
    return queued
