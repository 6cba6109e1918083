"""One rule for closures, shared by the desk's setup page (treatments/setup) and the admin: a
closure may not repeat or overlap one of exactly the same practitioner and place (None: everyone,
every location). Different people or places may overlap: a clinic holiday over a leave is fine."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clinic.localtime import clinic_zone, to_local
from clinic.models import Closure


def same_scope(*, practitioner_id: int | None, location_id: int | None) -> QuerySet[Closure]:
    """The closures of exactly these people and place."""
    who = Q(practitioner__isnull=True) if practitioner_id is None else Q(practitioner_id=practitioner_id)
    where = Q(location__isnull=True) if location_id is None else Q(location_id=location_id)
    return Closure.objects.filter(who & where)


def clashing_closure(
    *,
    practitioner_id: int | None,
    location_id: int | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude_pk: int | None = None,
) -> Closure | None:
    """A closure of exactly the same people and place that overlaps (or equals) this one."""
    qs = same_scope(practitioner_id=practitioner_id, location_id=location_id).filter(
        starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("starts_at").first()


def clash_message(clash: Closure, *, starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """What the clinic admin reads when a closure is refused for `clash`."""
    zone = clinic_zone()

    def when(value: dt.datetime) -> str:
        local = to_local(value, zone)
        return f"{date_format(local, 'D j M')} {local:%H:%M}"

    values = {"reason": clash.reason, "start": when(clash.starts_at), "end": when(clash.ends_at)}
    if (clash.starts_at, clash.ends_at) == (starts_at, ends_at):
        return _("This is already recorded: “%(reason)s”, %(start)s–%(end)s.") % values
    return (
        _(
            "It overlaps “%(reason)s”, %(start)s–%(end)s, for the same people and place: "
            "change or remove that one instead."
        )
        % values
    )
