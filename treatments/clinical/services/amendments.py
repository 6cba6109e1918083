"""Corrections to a signed record. The record stays signed; each amendment says who, when, why
and, for every changed field, the old and the new value. The corrected value is also written to
the record, so charts and reports use it, while the as-signed value stays readable here."""

import dataclasses
import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from treatments.clinical.services.records import (
    AMENDABLE_FIELDS,
    SITE_AMENDABLE_FIELDS,
    RecordError,
    SiteData,
    check_nrs,
    check_site,
)
from treatments.models import RecordAmendment, SessionRecord


def _as_json(value) -> str | int | None:
    if value is None or isinstance(value, int):
        return value
    return str(value)


def _clean(name: str, value):
    if isinstance(value, str):
        value = value.strip()
    if name in ("dextrose_percent", "anaesthetic_percent", "volume_ml"):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise RecordError(_("Give the corrected value as a number.")) from None
    return value


def record_amend(
    *,
    record: SessionRecord,
    reason: str,
    user,
    now: dt.datetime,
    changes: dict | None = None,
    site_changes: dict[int, dict] | None = None,
) -> RecordAmendment:
    """Correct fields of a signed record (`changes`) and of its sites (`site_changes`, by site id)."""
    changes, site_changes = changes or {}, site_changes or {}
    reason = reason.strip()
    if not reason:
        raise RecordError(_("Say why the record is corrected."))
    unknown = set(changes) - set(AMENDABLE_FIELDS)
    unknown |= {name for fields in site_changes.values() for name in fields} - set(SITE_AMENDABLE_FIELDS)
    if unknown:
        raise RecordError(_("These fields cannot be amended: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    check_nrs(changes.get("pain_before"), _("Pain before"))
    check_nrs(changes.get("pain_after"), _("Pain after"))
    if "plan" in changes and changes["plan"] not in SessionRecord.Plan.values:
        raise RecordError(_("Choose a plan."))
    with transaction.atomic():
        locked = SessionRecord.objects.select_for_update().get(pk=record.pk)
        if locked.status != SessionRecord.Status.SIGNED:
            raise RecordError(_("A draft is edited directly; only a signed record is amended."))
        diff = {}
        for name, new in changes.items():
            new, old = _clean(name, new), getattr(locked, name)
            if old != new:
                diff[name] = [_as_json(old), _as_json(new)]
                setattr(locked, name, new)
        sites = {site.pk: site for site in locked.sites.all()}
        touched = []
        for site_id, fields in site_changes.items():
            site = sites.get(site_id)
            if site is None:
                raise RecordError(_("That site is not part of this record."))
            number = list(sites).index(site_id) + 1
            for name, new in fields.items():
                new, old = _clean(name, new), getattr(site, name)
                if old != new:
                    diff[f"site {number} {name}"] = [_as_json(old), _as_json(new)]
                    setattr(site, name, new)
            values = {f.name: getattr(site, f.name) for f in dataclasses.fields(SiteData)}
            check_site(SiteData(**values), number)
            touched.append(site)
        if not diff:
            raise RecordError(_("Nothing was changed."))
        try:
            record_fields = [name for name in diff if name in AMENDABLE_FIELDS]
            if record_fields:
                locked.save(update_fields=[*record_fields, "updated_at"])
            for site in touched:
                site.save(update_fields=list(SITE_AMENDABLE_FIELDS))
        except IntegrityError as exc:
            raise RecordError(_("The correction is out of range.")) from exc
        return RecordAmendment.objects.create(record=locked, by=user, at=now, reason=reason, changes=diff)
