"""What a record form hands the record services, as plain values, and the checks of those values
(pain scores, injection sites) that the services run before writing."""

from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.utils.translation import gettext as _

from treatments.clinical.bodychart import chart_point_problem
from treatments.clinical.services.errors import RecordError
from treatments.models import InjectionSite, SessionRecord, Side

MAX_SITE_VOLUME_ML = Decimal("30")
MAX_PERCENT = Decimal("50")


@dataclass(frozen=True)
class SiteData:
    region: str
    dextrose_percent: Decimal
    volume_ml: Decimal
    structure: str = ""
    side: str = "none"
    guidance: str = InjectionSite.Guidance.LANDMARK
    anaesthetic: str = ""
    anaesthetic_percent: Decimal = Decimal("0")
    needle_gauge: int | None = None
    chart_view: str = ""
    chart_x: int | None = None
    chart_y: int | None = None

    @classmethod
    def of(cls, site: InjectionSite) -> "SiteData":
        return cls(**{name: getattr(site, name) for name in SITE_FIELDS})


# What an injection site holds: the form's fields, what a copy takes from the last session.
SITE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(SiteData))


@dataclass(frozen=True)
class EventData:
    kind: str
    notes: str = ""


@dataclass(frozen=True)
class RecordData:
    consent_confirmed: bool = False
    pain_before: int | None = None
    pain_after: int | None = None
    product_lot: str = ""
    plan: str = SessionRecord.Plan.CONTINUE
    plan_note: str = ""
    notes: str = ""
    history: str = ""
    examination: str = ""
    imaging_reviewed: str = ""
    screening_reviewed: bool = False
    assessment: str = ""
    candidate: bool | None = None
    proposed_protocol_id: int | None = None
    proposed_side: str = Side.NONE
    progress: str = ""
    outcome_measure: str = ""
    outcome_value: Decimal | None = None
    # question -> "yes" answer; None when the re-check was not done (yet).
    screening: dict[str, bool] | None = None
    sites: list[SiteData] = field(default_factory=list)
    events: list[EventData] = field(default_factory=list)


def check_nrs(value: int | None, label: str) -> None:
    if value is not None and not 0 <= value <= 10:
        raise RecordError(_("%(label)s must be between 0 and 10.") % {"label": label})


def check_site(site: SiteData, number: int) -> None:
    if not site.region.strip():
        raise RecordError(_("Site %(n)s: give the region.") % {"n": number})
    if not Decimal("0") < site.volume_ml <= MAX_SITE_VOLUME_ML:
        raise RecordError(_("Site %(n)s: the volume must be more than 0 and at most 30 mL.") % {"n": number})
    for percent in (site.dextrose_percent, site.anaesthetic_percent):
        if not Decimal("0") <= percent <= MAX_PERCENT:
            raise RecordError(_("Site %(n)s: a concentration must be between 0 and 50%%.") % {"n": number})
    if site.needle_gauge is not None and not 10 <= site.needle_gauge <= 34:
        raise RecordError(_("Site %(n)s: the needle gauge must be between 10 and 34.") % {"n": number})
    if problem := chart_point_problem(site.chart_view, site.chart_x, site.chart_y):
        raise RecordError(_("Site %(n)s: %(problem)s.") % {"n": number, "problem": problem})
