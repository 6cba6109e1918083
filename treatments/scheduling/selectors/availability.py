"""Loads an `Availability` (treatments/scheduling/availability.py) from the database in three queries:
working hours (the week's and the dated ones, selectors/hours.py), closures (selectors/closures.py),
live appointments;
given `now`, a fourth: slots held by online bookings.
Shared by the booking services, the series pages and the calendar's "next free slot"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext as _

from clinic.localtime import clinic_zone, local_datetime
from clinic.models import Location, Practitioner, Room
from patients.models import Patient
from treatments.models import Appointment, OnlineBooking
from treatments.scheduling.availability import Availability, Busy, DatedBlock, WeeklyBlock
from treatments.scheduling.selectors.closures import closures_for
from treatments.scheduling.selectors.hours import hour_blocks


def availability_for(
    *,
    practitioner: Practitioner,
    location: Location,
    first: dt.date,
    last: dt.date,
    patient: Patient | None = None,
    room: Room | None = None,
    exclude_ids: Iterable[int] = (),
    now: dt.datetime | None = None,
    paid_holds: bool = False,
) -> Availability:
    """Everything that decides whether `practitioner` can see `patient` at `location` between the
    local dates `first` and `last` (inclusive). Given `now`, the slots patients hold while they
    verify an online booking count too (every booking write and the online slot list pass it).
    With `paid_holds` (the desk's booking writes, which may book over a plain hold), a hold whose
    deposit is being paid still counts: its patient may have been charged."""
    zone = clinic_zone()
    # A day either side: bookings' buffers and closures cross midnight.
    since = local_datetime(first - dt.timedelta(days=1), dt.time(0, 0), zone)
    until = local_datetime(last + dt.timedelta(days=2), dt.time(0, 0), zone)
    hours = hour_blocks(practitioner_id=practitioner.pk, location_id=location.pk, first=first, last=last)
    blocks = [WeeklyBlock(h.weekday, h.start, h.end) for h in hours if h.weekday is not None]
    dated = [DatedBlock(h.date, h.start, h.end) for h in hours if h.date is not None]
    closures = closures_for(practitioner=practitioner, location=location, since=since, until=until, zone=zone)
    who = Q(practitioner=practitioner)
    if patient is not None:
        who |= Q(patient=patient)
    if room is not None:
        who |= Q(room=room)
    appointments = (
        # The lower bound on start lets the (practitioner, start) / (patient, start) indexes cut the
        # history off; no appointment lasts a day, and PostgreSQL's exclusion constraints still
        # guard whatever this could miss.
        Appointment.objects.filter(
            who,
            status__in=Appointment.LIVE_STATUSES,
            start__lt=until,
            start__gt=since - dt.timedelta(days=1),
            end__gt=since,
        )
        .exclude(pk__in=list(exclude_ids))
        .values_list("start", "end", "practitioner_id", "patient_id", "room_id", "appointment_type__buffer_minutes")
    )
    busy_practitioner = _("%(who)s already has an appointment then") % {"who": practitioner.display_name}
    busy_patient = _("the patient already has an appointment then")
    busy_room = _("the room is taken then")
    bookings = []
    for start, end, practitioner_id, patient_id, _room_id, buffer in appointments:
        if practitioner_id == practitioner.pk:
            label = busy_practitioner
        elif patient is not None and patient_id == patient.pk:
            label = busy_patient
        else:
            label = busy_room
        bookings.append(Busy(start, end + dt.timedelta(minutes=buffer), label))
    if now is not None or paid_holds:
        held = _("that time is held for a patient booking online")
        # A hold being paid for stays busy past its expiry until the payment step has asked the
        # card gateway (treatments/booking/services/confirm.py, online_paying_release), for everyone.
        holds = Q(status=OnlineBooking.Status.PAYING)
        if now is not None:
            holds |= Q(status=OnlineBooking.Status.HELD, expires_at__gt=now)
        bookings += [
            # A hold's end already includes its type's buffer.
            Busy(start, end, held)
            for start, end in OnlineBooking.objects.filter(
                holds,
                practitioner=practitioner,
                start__lt=until,
                end__gt=since,
            ).values_list("start", "end")
        ]
    return Availability(
        zone=zone,
        blocks=blocks,
        dated=dated,
        closures=closures,
        bookings=bookings,
        outside_hours_label=_("that time is outside %(who)s's hours at %(place)s")
        % {"who": practitioner.display_name, "place": location.name},
    )


def availability_around(
    appointment: Appointment, *, first: dt.date, last: dt.date, exclude_ids: Iterable[int] = ()
) -> Availability:
    """Where `appointment` could go instead: its practitioner and location, its patient and room;
    itself (and `exclude_ids`, the sessions moving with it) left out of the bookings."""
    return availability_for(
        practitioner=appointment.practitioner,
        location=appointment.location,
        patient=appointment.patient,
        room=appointment.room,
        first=first,
        last=last,
        exclude_ids=[appointment.pk, *exclude_ids],
    )
