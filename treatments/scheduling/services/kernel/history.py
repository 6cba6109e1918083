"""The history half of the booking kernel: who makes a change, and the one AppointmentChange row
every write keeps. A write enters here after its checks and its planning, once per change."""

from __future__ import annotations

import datetime as dt
from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User

from clinic.models import Practitioner
from treatments.models import Appointment, AppointmentChange, TreatmentSeries

# Who makes a change: a staff user, or None (the patient in the portal, a reply by text, the system).
# Pages pass request.user, which the types allow to be anonymous; the role checks before any write
# make it a user.
Actor: TypeAlias = User | AnonymousUser | None


def author(by: Actor) -> User | None:
    """The user a row records as its author; an anonymous visitor never writes."""
    if isinstance(by, AnonymousUser):
        raise ValueError("An anonymous visitor cannot make a booking change.")
    return by


def history_entry(
    *,
    kind: str,
    by: Actor,
    now: dt.datetime,
    appointment: Appointment | None = None,
    series: TreatmentSeries | None = None,
    old: dt.datetime | None = None,
    new: dt.datetime | None = None,
    reason: str = "",
    old_practitioner: Practitioner | None = None,
    new_practitioner: Practitioner | None = None,
) -> AppointmentChange:
    """The one history row of a change to an appointment or a series (`by` None: the patient, or
    the system). The series is the appointment's own unless given."""
    series_id = series.pk if series is not None else getattr(appointment, "series_id", None)
    return AppointmentChange.objects.create(
        kind=kind,
        by=author(by),
        at=now,
        appointment=appointment,
        series_id=series_id,
        old_start=old,
        new_start=new,
        old_practitioner=old_practitioner,
        new_practitioner=new_practitioner,
        reason=reason[:250],
    )
