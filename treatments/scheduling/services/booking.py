"""Booking writes: a whole series, a standalone appointment, moving, cancelling, adding a session,
discontinuing. The one write path for each (views, the portal and tasks call these).

Every function owns its transaction (the kernel's `booking_transaction`), takes the practitioner's
lock once, checks, records one history entry per change and calls the messaging hooks inside the
transaction (services/kernel.py says how no double booking can happen). The type's buffer is only
checked here (the constraint covers the appointment itself).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from clinic.models import AppointmentType, Location, Practitioner, Room
from patients.models import Patient
from treatments import hooks
from treatments.models import Appointment, AppointmentChange, Protocol, Side, TreatmentSeries
from treatments.scheduling import messaging, notices
from treatments.scheduling.rules import as_sentence, is_optional_step, too_many_sessions, type_times
from treatments.scheduling.selectors.proposals import series_check
from treatments.scheduling.services.booking_cancel import Cancellation, appointment_cancel, cancel_booked
from treatments.scheduling.services.booking_changes import appointment_move, appointment_move_preview
from treatments.scheduling.services.kernel.history import Actor, author, history_entry
from treatments.scheduling.services.kernel.slots import (
    BookingError,
    SlotTaken,
    booking_transaction,
    check_slot,
    lock_practitioner,
)
from treatments.scheduling.services.waitlist_offers import waitlist_offers_make

__all__ = [
    "BookingError",
    "Cancellation",
    "SlotTaken",
    "appointment_book",
    "appointment_cancel",
    "appointment_move",
    "appointment_move_preview",
    "series_add_session",
    "series_book",
    "series_discontinue",
]


def _session_create(
    *, series: TreatmentSeries, step: int, start: dt.datetime, room: Room | None, by: Actor, now: dt.datetime
) -> Appointment:
    """One session of a series, of the protocol's type; steps past the required ones are optional."""
    protocol = series.protocol
    duration, _buffer = type_times(protocol.appointment_type)
    return Appointment.objects.create(
        patient=series.patient,
        practitioner=series.practitioner,
        location=series.location,
        room=room,
        appointment_type=protocol.appointment_type,
        series=series,
        series_step=step,
        is_optional=is_optional_step(protocol, step),
        start=start,
        end=start + duration,
        created_by=author(by),
        created_at=now,
    )


def _tell_booked(appointment_ids: list[int], *, series_id: int | None, by: Actor, now: dt.datetime) -> None:
    """The other apps hear of new sessions once the booking commits (billing's deposit and package
    hooks, treatments/hooks.py): a whole series, a standalone visit, or a session added."""
    hooks.send_on_commit(
        hooks.appointments_booked,
        sender=Appointment,
        appointment_ids=appointment_ids,
        series_id=series_id,
        by=by,
        now=now,
    )


def series_book(
    *,
    patient: Patient,
    protocol: Protocol,
    practitioner: Practitioner,
    location: Location,
    side: str,
    starts: list[dt.datetime],
    by: Actor,
    now: dt.datetime,
    room: Room | None = None,
) -> TreatmentSeries:
    """Book a whole series at once: every session is saved, or none."""
    if not starts:
        raise BookingError(_("Pick at least the first session."))
    if side not in Side.values:
        raise BookingError(_("Pick a side."))
    if not (protocol.active and practitioner.active and location.active):
        raise BookingError(_("That protocol, practitioner or location is no longer in use."))
    too_many = too_many_sessions(protocol, len(starts))
    if too_many:
        raise BookingError(too_many)
    if any(s.tzinfo is None for s in starts):
        raise BookingError(_("The time has no time zone."))
    if room is not None and room.location_id != location.pk:
        raise BookingError(_("That room is at another location."))
    with booking_transaction():
        lock_practitioner(practitioner)
        # The same check the desk's "Re-check" showed, now inside the transaction.
        checked = series_check(
            protocol=protocol,
            practitioner=practitioner,
            location=location,
            patient=patient,
            room=room,
            starts=starts,
            now=now,
        )
        problems = [p.problem for p in checked if p.problem]
        if problems:
            raise BookingError(" ".join(as_sentence(p) for p in problems))
        series = TreatmentSeries.objects.create(
            patient=patient,
            protocol=protocol,
            practitioner=practitioner,
            location=location,
            side=side,
            planned_sessions=max(protocol.required_sessions, len(starts)),
            created_by=author(by),
            created_at=now,
        )
        booked = []
        for step, start in enumerate(starts, start=1):
            appointment = _session_create(series=series, step=step, start=start, room=room, by=by, now=now)
            history_entry(kind=AppointmentChange.Kind.BOOKED, by=by, now=now, appointment=appointment, new=start)
            booked.append(appointment.pk)
        messaging.series_booked(series=series, now=now)
        _tell_booked(booked, series_id=series.pk, by=by, now=now)
    return series


def appointment_book(
    *,
    patient: Patient,
    practitioner: Practitioner,
    location: Location,
    appointment_type: AppointmentType,
    start: dt.datetime,
    by: Actor,
    now: dt.datetime,
    room: Room | None = None,
) -> Appointment:
    """A standalone appointment (consultation, follow-up), confirmed to the patient in writing
    whether the desk or the patient booked it."""
    if not (appointment_type.active and practitioner.active and location.active):
        raise BookingError(_("That type, practitioner or location is no longer in use."))
    duration, _buffer = type_times(appointment_type)
    with booking_transaction():
        check_slot(
            patient=patient,
            practitioner=practitioner,
            location=location,
            appointment_type=appointment_type,
            start=start,
            now=now,
            room=room,
        )
        appointment = Appointment.objects.create(
            patient=patient,
            practitioner=practitioner,
            location=location,
            room=room,
            appointment_type=appointment_type,
            start=start,
            end=start + duration,
            created_by=author(by),
            created_at=now,
        )
        history_entry(kind=AppointmentChange.Kind.BOOKED, by=by, now=now, appointment=appointment, new=start)
        messaging.appointment_changed(appointment=appointment, now=now)
        messaging.appointment_confirmed(appointment=appointment, now=now)
        _tell_booked([appointment.pk], series_id=None, by=by, now=now)
    return appointment


def series_add_session(*, series: TreatmentSeries, start: dt.datetime, by: Actor, now: dt.datetime) -> Appointment:
    """Add a session after the last live one (an optional one beyond the required sessions)."""
    if start.tzinfo is None:
        raise BookingError(_("The time has no time zone."))
    with booking_transaction():
        series = (
            TreatmentSeries.objects.select_for_update(of=("self",))
            .select_related("protocol__appointment_type", "practitioner", "location", "patient")
            .get(pk=series.pk)
        )
        # A completed series may be extended (an optional or as-needed session): it is active again.
        if series.status == TreatmentSeries.Status.DISCONTINUED:
            raise BookingError(
                _("This series is %(status)s; no session can be added.")
                % {"status": series.get_status_display().lower()}
            )
        if series.status == TreatmentSeries.Status.COMPLETED:
            series.status = TreatmentSeries.Status.ACTIVE
            series.save(update_fields=["status"])
        protocol = series.protocol
        live = list(series.appointments.filter(status__in=Appointment.LIVE_STATUSES).order_by("series_step"))
        too_many = too_many_sessions(protocol, len(live) + 1)
        if too_many:
            raise BookingError(too_many)
        step = (live[-1].series_step or 0) + 1 if live else 1
        if live and start <= live[-1].start:
            raise BookingError(_("An added session must come after session %(step)d.") % {"step": live[-1].series_step})
        check_slot(
            patient=series.patient,
            practitioner=series.practitioner,
            location=series.location,
            appointment_type=protocol.appointment_type,
            start=start,
            now=now,
            room=None,
        )
        appointment = _session_create(series=series, step=step, start=start, room=None, by=by, now=now)
        if step > series.planned_sessions:
            series.planned_sessions = step
            series.save(update_fields=["planned_sessions"])
        history_entry(kind=AppointmentChange.Kind.ADDED, by=by, now=now, appointment=appointment, new=start)
        messaging.appointment_changed(appointment=appointment, now=now)
        notices.session_rebooked(appointment=appointment, now=now)
        _tell_booked([appointment.pk], series_id=series.pk, by=by, now=now)
    return appointment


def series_discontinue(*, series: TreatmentSeries, reason: str, by: Actor, now: dt.datetime) -> TreatmentSeries:
    """Stop a series: its future booked sessions are cancelled by the clinic with the reason, and
    each freed time is offered to the waitlist like any cancelled one."""
    if not reason.strip():
        raise BookingError(_("Give a reason for discontinuing."))
    with booking_transaction():
        series = TreatmentSeries.objects.select_for_update(of=("self",)).get(pk=series.pk)
        if series.status == TreatmentSeries.Status.DISCONTINUED:
            raise BookingError(_("This series was already discontinued."))
        series.status = TreatmentSeries.Status.DISCONTINUED
        series.discontinued_at = now
        series.discontinued_reason = reason[:250]
        series.save(update_fields=["status", "discontinued_at", "discontinued_reason"])
        history_entry(kind=AppointmentChange.Kind.DISCONTINUED, by=by, now=now, series=series, reason=reason)
        cancelled = list(series.appointments.filter(status=Appointment.Status.BOOKED, start__gt=now))
        for appointment in cancelled:
            cancel_booked(appointment=appointment, kind=Appointment.CancelKind.CLINIC, reason=reason, by=by, now=now)
            # Each freed time goes to the waitlist as a cancellation's does, in this transaction.
            waitlist_offers_make(freed=appointment, now=now)
        notices.appointments_cancelled(appointments=cancelled, now=now)
        hooks.send_on_commit(hooks.series_discontinued, sender=TreatmentSeries, series_id=series.pk, by=by, now=now)
    return series
