"""Human labels and readable values for every field of a record and its rows, so the signed
record, the amendment trail and the printable summary say "Pain after: 3 → 4", never a raw key."""

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from treatments.models import AdverseEvent, InjectionSite, OutcomeScore, Protocol, SessionRecord, Side

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a lazy translation or a str; for the type checker only

RECORD_LABELS = {
    "pain_before": _("Pain before (0-10)"),
    "pain_after": _("Pain after (0-10)"),
    "product_lot": _("Product lot number"),
    "plan": _("Plan"),
    "plan_note": _("Plan note"),
    "notes": _("Notes"),
    "history": _("History"),
    "examination": _("Examination"),
    "imaging_reviewed": _("Imaging reviewed"),
    "screening_reviewed": _("Screening answers reviewed"),
    "assessment": _("Assessment"),
    "candidate": _("Candidate for prolotherapy"),
    "proposed_protocol_id": _("Protocol to book"),
    "proposed_side": _("Side to treat"),
    "progress": _("Progress since the last visit"),
    "outcome_measure": _("Outcome measure"),
    "outcome_value": _("Outcome score"),
    # A hand-over by the clinic admin (services/handover.py): who writes and signs the record.
    "writer": _("Written and signed by"),
}
# The same fields are labelled for the visit they belong to.
KIND_LABELS: dict[str, dict[str, "StrOrPromise"]] = {
    SessionRecord.Kind.CONSULTATION: {"pain_before": _("Pain today (0-10)"), "plan_note": _("Plan")},
    SessionRecord.Kind.FOLLOW_UP: {"pain_before": _("Pain today (0-10)"), "plan": _("Decision")},
}
SITE_LABELS = {
    "region": _("region"),
    "structure": _("structure"),
    "side": _("side"),
    "guidance": _("guidance"),
    "dextrose_percent": _("dextrose %"),
    "anaesthetic": _("anaesthetic"),
    "anaesthetic_percent": _("anaesthetic %"),
    "volume_ml": _("volume mL"),
    "needle_gauge": _("needle gauge"),
}
EVENT_LABELS = {"kind": _("kind"), "notes": _("notes")}
CHOICES = {
    "plan": dict(SessionRecord.Plan.choices),
    "proposed_side": dict(Side.choices),
    "side": dict(Side.choices),
    "guidance": dict(InjectionSite.Guidance.choices),
    "kind": dict(AdverseEvent.Kind.choices),
    "outcome_measure": dict(OutcomeScore.Measure.choices),
}


def field_label(name: str, kind: str = SessionRecord.Kind.INJECTION) -> str:
    return str(KIND_LABELS.get(kind, {}).get(name) or RECORD_LABELS.get(name, name))


def readable(name: str, value, protocols: dict[int, str] | None = None) -> str:
    """A stored value as a person reads it; "—" for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if name == "proposed_protocol_id":
        names = protocols if protocols is not None else dict(Protocol.objects.values_list("pk", "name"))
        return names.get(int(value), str(value))
    if name in CHOICES:
        return str(CHOICES[name].get(value, value))
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def record_facts(record: SessionRecord) -> list[tuple[str, str]]:
    """(label, value) of every field of this kind of record, in the order the form asks them."""
    from treatments.clinical.services.visits import KIND_FIELDS

    protocols = {record.proposed_protocol_id: str(record.proposed_protocol)} if record.proposed_protocol_id else {}
    return [
        (field_label(name, record.kind), readable(name, getattr(record, name), protocols))
        for name in KIND_FIELDS[record.kind]
    ]


def person_name(user) -> str:
    """Who signed or amended: the practitioner's name as the clinic shows it, else the account's
    full name; the username only when the account has no name at all."""
    if user is None:
        return "—"
    practitioner = getattr(user, "practitioner", None)
    if practitioner is not None:
        return practitioner.display_name
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class AmendmentLine:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class AmendmentEntry:
    at: object
    who: str
    reason: str
    lines: list[AmendmentLine]


def _change_label(key: str, kind: str) -> tuple[str, str]:
    """("Site 2: volume mL", "volume_ml") from "site 2 volume_ml"; record fields by their label."""
    parts = key.split(" ")
    if len(parts) == 3 and parts[0] in ("site", "event"):
        row, number, name = parts
        labels = SITE_LABELS if row == "site" else EVENT_LABELS
        what = _("Site") if row == "site" else _("Adverse event")
        return f"{what} {number}: {labels.get(name, name)}", name
    return field_label(key, kind), key


def amendment_trail(record: SessionRecord, protocols: dict[int, str] | None = None) -> list[AmendmentEntry]:
    """The record's amendments as a person reads them: when, who (full name), why, and each
    change as "label: old → new". Uses the prefetched amendments (no query of its own)."""
    entries = []
    for amendment in record.amendments.all():
        lines = []
        for key, (old, new) in amendment.changes.items():
            label, name = _change_label(key, record.kind)
            lines.append(AmendmentLine(label, readable(name, old, protocols), readable(name, new, protocols)))
        entries.append(AmendmentEntry(amendment.at, person_name(amendment.by), amendment.reason, lines))
    return entries
