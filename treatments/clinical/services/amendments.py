"""Corrections to a signed record. The record stays signed; each amendment says who, when, why
and, for every changed field, the old and the new value. The corrected value is also written to
the record, so charts and reports use it, while the as-signed value stays readable here.

Any field of the record's kind may be corrected, and every field of its injection sites and
adverse events; a forgotten adverse event may be added. Keys in `changes` are the field name, or
"site N <field>" / "event N <field>" (N counts from 1 as the record shows them)."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from clinic.integrity import integrity_message
from treatments.clinical.fields import field_label
from treatments.clinical.services.errors import RecordError
from treatments.clinical.services.record_data import SITE_FIELDS, SiteData, check_nrs, check_site
from treatments.clinical.services.records import write_refusal
from treatments.clinical.services.visits import KIND_FIELDS, check_visit_fields
from treatments.models import AdverseEvent, InjectionSite, Protocol, RecordAmendment, SessionRecord, Side

# What an amendment may correct on a site and on an adverse event.
SITE_AMENDABLE_FIELDS: tuple[str, ...] = SITE_FIELDS
EVENT_AMENDABLE_FIELDS: tuple[str, ...] = ("kind", "notes")
NEW_EVENT = "new"

INTEGERS = {"pain_before", "pain_after", "needle_gauge"}
DECIMALS = {"dextrose_percent", "anaesthetic_percent", "volume_ml", "outcome_value"}
BOOLEANS = {"screening_reviewed", "candidate"}
CHOICES = {
    "plan": SessionRecord.Plan.choices,
    "proposed_side": Side.choices,
    "side": Side.choices,
    "guidance": InjectionSite.Guidance.choices,
    "kind": AdverseEvent.Kind.choices,
}
NULLABLE = {"pain_before", "pain_after", "needle_gauge", "outcome_value", "candidate", "proposed_protocol_id"}


def parse_value(name: str, raw: object) -> object:
    """A typed value from what was typed; a choice may be given by its key or its label."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if text == "" and name in NULLABLE:
        return None
    if name in INTEGERS:
        if not text.lstrip("-").isdigit():
            raise RecordError(_("Give the corrected value as a whole number."))
        return int(text)
    if name in DECIMALS:
        try:
            return Decimal(text)
        except InvalidOperation:
            raise RecordError(_("Give the corrected value as a number.")) from None
    if name in BOOLEANS:
        if text.lower() in ("yes", "true", "1", str(_("Yes")).lower()):
            return True
        if text.lower() in ("no", "false", "0", str(_("No")).lower()):
            return False
        raise RecordError(_("Answer yes or no."))
    if name in CHOICES:
        for key, label in CHOICES[name]:
            if text.lower() in (key, str(label).lower()):
                return key
        raise RecordError(_("Use one of: %(v)s.") % {"v": ", ".join(str(label) for _key, label in CHOICES[name])})
    if name == "proposed_protocol_id":
        found = Protocol.objects.filter(name__iexact=text).values_list("pk", flat=True).first()
        if found is None and text.isdigit():
            found = Protocol.objects.filter(pk=int(text)).values_list("pk", flat=True).first()
        if found is None:
            raise RecordError(_("Choose one of the clinic's protocols."))
        return found
    return text


def _as_json(value: object) -> str | int | bool | None:
    if value is None or isinstance(value, bool | int):
        return value
    return str(value)


def _apply(obj: Model, fields: dict[str, object], prefix: str, diff: dict[str, object]) -> bool:
    changed = False
    for name, raw in fields.items():
        new, old = parse_value(name, raw), getattr(obj, name)
        if old != new:
            diff[f"{prefix}{name}"] = [_as_json(old), _as_json(new)]
            setattr(obj, name, new)
            changed = True
    return changed


def _check_record(record: SessionRecord) -> None:
    # Named as the form of this kind of visit names them ("Pain today" on a consultation).
    check_nrs(record.pain_before, field_label("pain_before", record.kind).removesuffix(" (0-10)"))
    check_nrs(record.pain_after, field_label("pain_after", record.kind).removesuffix(" (0-10)"))
    if record.plan not in SessionRecord.Plan.values:
        raise RecordError(_("Choose a plan."))
    check_visit_fields(record)


def record_amend(
    *,
    record: SessionRecord,
    reason: str,
    user: User,
    now: dt.datetime,
    changes: dict | None = None,
    site_changes: dict[int, dict] | None = None,
    event_changes: dict[int | str, dict] | None = None,
) -> RecordAmendment:
    """Correct fields of a signed record (`changes`), of its sites (`site_changes`, by site id)
    and of its adverse events (`event_changes`, by event id, or NEW_EVENT to add one)."""
    changes, site_changes, event_changes = changes or {}, site_changes or {}, event_changes or {}
    reason = reason.strip()
    if not reason:
        raise RecordError(_("Say why the record is corrected."))
    with transaction.atomic():
        locked = (
            SessionRecord.objects.select_for_update(of=("self",))
            .select_related("appointment__practitioner", "handed_to")
            .get(pk=record.pk)
        )
        if locked.status != SessionRecord.Status.SIGNED:
            raise RecordError(_("A draft is edited directly; only a signed record is amended."))
        if refusal := write_refusal(appointment=locked.appointment, record=locked, user=user):
            raise RecordError(refusal)
        unknown = set(changes) - set(KIND_FIELDS[locked.kind])
        unknown |= {n for fields in site_changes.values() for n in fields} - set(SITE_AMENDABLE_FIELDS)
        unknown |= {n for fields in event_changes.values() for n in fields} - set(EVENT_AMENDABLE_FIELDS)
        if unknown:
            raise RecordError(_("These fields cannot be amended: %(f)s.") % {"f": ", ".join(sorted(unknown))})
        diff: dict = {}
        record_changed = _apply(locked, changes, "", diff)
        _check_record(locked)
        sites = {site.pk: site for site in locked.sites.all()}
        touched_sites = []
        for site_id, fields in site_changes.items():
            if site_id not in sites:
                raise RecordError(_("That site is not part of this record."))
            number = list(sites).index(site_id) + 1
            site = sites[site_id]
            if _apply(site, fields, f"site {number} ", diff):
                check_site(SiteData.of(site), number)
                touched_sites.append(site)
        events = {event.pk: event for event in locked.adverse_events.order_by("pk")}
        touched_events = []
        for event_id, fields in event_changes.items():
            if event_id == NEW_EVENT:
                event = AdverseEvent(record=locked, kind="", notes="")
                number = len(events) + 1
            elif event_id in events:
                event, number = events[event_id], list(events).index(event_id) + 1
            else:
                raise RecordError(_("That adverse event is not part of this record."))
            if _apply(event, fields, f"event {number} ", diff):
                if event.kind not in AdverseEvent.Kind.values:
                    raise RecordError(_("Choose the kind of each adverse event."))
                touched_events.append(event)
        if not diff:
            raise RecordError(_("Nothing was changed."))
        try:
            if record_changed:
                locked.save()
            for site in touched_sites:
                site.save(update_fields=list(SITE_AMENDABLE_FIELDS))
            for event in touched_events:
                event.save()
        except IntegrityError as exc:
            raise RecordError(integrity_message(exc)) from exc
        return RecordAmendment.objects.create(record=locked, by=user, at=now, reason=reason, changes=diff)
