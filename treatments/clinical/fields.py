"""Human labels and readable values for every field of a record and its rows, so the signed
record, the amendment trail and the printable summary say "Pain after: 3 → 4", never a raw key."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from treatments.models import AdverseEvent, InjectionSite, OutcomeScore, Protocol, SessionRecord, Side

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
}
# The same fields are labelled for the visit they belong to.
KIND_LABELS = {
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
