"""The closures that take time from a practitioner at a location, and their words: "Dr X is away
10–20 May", "Main Street is closed 29 Mar (Spring holiday)" for a refusal, and the same without
the dates ("clinic closed — Spring holiday") for a sentence that names the day already. One query;
the availability (selectors/availability.py) reads them beside the hours, and the setup's "what
this closure covers" labels a closure not saved yet with the same words."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils.translation import gettext as _

from clinic.localtime import local_date
from clinic.models import Closure, Location, Practitioner
from treatments.scheduling.availability import Busy
from treatments.scheduling.rules import date_span


def closures_for(
    *, practitioner: Practitioner, location: Location, since: dt.datetime, until: dt.datetime, zone: ZoneInfo
) -> list[Busy]:
    """The clinic's, the location's and the practitioner's own closures touching [since, until),
    each as busy time with its label and reason."""
    rows = (
        Closure.objects.filter(starts_at__lt=until, ends_at__gt=since)
        .filter(
            Q(practitioner__isnull=True, location__isnull=True)
            | Q(practitioner__isnull=True, location=location)
            | Q(practitioner=practitioner, location__isnull=True)
            | Q(practitioner=practitioner, location=location)
        )
        .select_related("location")
    )
    return [
        Busy(c.starts_at, c.ends_at, closure_label(c, practitioner, zone), closure_reason(c, practitioner))
        for c in rows
    ]


def closure_label(closure: Closure, practitioner: Practitioner, zone: ZoneInfo) -> str:
    first = local_date(closure.starts_at, zone)
    last = local_date(closure.ends_at - dt.timedelta(microseconds=1), zone)
    dates = date_span(first, last)
    if closure.practitioner_id is not None:
        return _("%(who)s is away %(dates)s") % {"who": practitioner.display_name, "dates": dates}
    if closure.location is not None:
        return _("%(place)s is closed %(dates)s (%(reason)s)") % {
            "place": closure.location.name,
            "dates": dates,
            "reason": closure.reason,
        }
    return _("the clinic is closed %(dates)s (%(reason)s)") % {"dates": dates, "reason": closure.reason}


def closure_reason(closure: Closure, practitioner: Practitioner) -> str:
    """What a closure is, for a sentence that already names the day."""
    if closure.practitioner_id is not None:
        return _("%(who)s is away") % {"who": practitioner.display_name}
    if closure.location is not None:
        return _("%(place)s closed — %(reason)s") % {"place": closure.location.name, "reason": closure.reason}
    return _("clinic closed — %(reason)s") % {"reason": closure.reason}
