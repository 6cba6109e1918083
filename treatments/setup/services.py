"""The clinic's hours and time off, written at the desk (/desk/setup/): a practitioner's week at a
location, a closure or leave (refused when the same people and place already have one then), and
what happens to the bookings a closure covers — moved to the nearest allowed time by the move
service, or cancelled by the cancel service, which tells the patient (the desk's own paths)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from clinic.closures import clash_message, clashing_closure
from clinic.localtime import local_date
from clinic.models import ClinicSettings, Closure, DatedHours, Location, Practitioner, WorkingHours
from clinic.setup_stamp import setup_stamp_bump
from treatments.models import Appointment
from treatments.scheduling.services.booking import BookingError, appointment_cancel, appointment_move
from treatments.scheduling.services.kernel.history import Actor
from treatments.setup.selectors import booking_outside_hours, closure_covering, nearest_allowed


class SetupError(Exception):
    """A change that cannot be made; `message` is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _lock_setup() -> None:
    # Two closures typed at once for the same people must not both pass the overlap check: every
    # setup write takes the one settings row first.
    ClinicSettings.load()
    list(ClinicSettings.objects.select_for_update().filter(pk=1).values_list("pk", flat=True))


def closure_add(
    *,
    practitioner: Practitioner | None,
    location: Location | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    now: dt.datetime,
) -> Closure:
    """Record time nobody of this scope can be booked. Refused when it ends before it starts, is
    over already, or overlaps (or repeats) a closure of exactly the same practitioner and place."""
    reason = reason.strip()
    if not reason:
        raise SetupError(_("Say what the time off is for (it is shown on the calendar)."))
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise SetupError(_("The time has no time zone."))
    if ends_at <= starts_at:
        raise SetupError(_("The end must be after the start."))
    if ends_at <= now:
        raise SetupError(_("That time is over already."))
    with transaction.atomic():
        _lock_setup()
        clash = clashing_closure(
            practitioner_id=practitioner.pk if practitioner else None,
            location_id=location.pk if location else None,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        if clash is not None:
            raise SetupError(clash_message(clash, starts_at=starts_at, ends_at=ends_at))
        return Closure.objects.create(
            practitioner=practitioner, location=location, starts_at=starts_at, ends_at=ends_at, reason=reason[:120]
        )


def closure_remove(*, closure: Closure) -> None:
    with transaction.atomic():
        _lock_setup()
        Closure.objects.filter(pk=closure.pk).delete()


def working_week_set(
    *,
    practitioner: Practitioner,
    location: Location,
    blocks: list[tuple[int, dt.time, dt.time]],
    now: dt.datetime | None = None,
) -> list[WorkingHours]:
    """Replace the practitioner's week at this location by `blocks` (weekday, start, end): blocks
    of a day must not overlap, nor the practitioner's week at another location, nor their extra
    hours ahead at another location; an empty list means they no longer work there."""
    for _weekday, start, end in blocks:
        if end <= start:
            raise SetupError(_("A block must end after it starts."))
    by_day = sorted(blocks)
    for (day_a, _s, end_a), (day_b, start_b, _e) in zip(by_day, by_day[1:], strict=False):
        if day_a == day_b and start_b < end_a:
            raise SetupError(_("%(day)s: two blocks overlap.") % {"day": WorkingHours.Weekday(day_a).label})
    with transaction.atomic():
        _lock_setup()
        # Nobody works in two places at once: a block over the week at another location is refused.
        elsewhere = WorkingHours.objects.filter(practitioner=practitioner).exclude(location=location)
        for weekday, start, end in by_day:
            clash = elsewhere.filter(weekday=weekday, start__lt=end, end__gt=start).select_related("location").first()
            if clash is not None:
                raise SetupError(
                    _("%(day)s: %(who)s works %(start)s–%(end)s at %(place)s then.")
                    % {
                        "day": WorkingHours.Weekday(weekday).label,
                        "who": practitioner.display_name,
                        "start": f"{clash.start:%H:%M}",
                        "end": f"{clash.end:%H:%M}",
                        "place": clash.location.name,
                    }
                )
        today = local_date(now or timezone.now())
        extra = DatedHours.objects.filter(practitioner=practitioner, date__gte=today).exclude(location=location)
        for dated in extra.select_related("location").order_by("date", "start"):
            for weekday, start, end in by_day:
                if weekday == dated.date.weekday() and start < dated.end and dated.start < end:
                    raise SetupError(
                        _("%(date)s: %(who)s has extra hours %(start)s–%(end)s at %(place)s then.")
                        % {
                            "date": date_format(dated.date, "D j M"),
                            "who": practitioner.display_name,
                            "start": f"{dated.start:%H:%M}",
                            "end": f"{dated.end:%H:%M}",
                            "place": dated.location.name,
                        }
                    )
        WorkingHours.objects.filter(practitioner=practitioner, location=location).delete()
        rows = WorkingHours.objects.bulk_create(
            WorkingHours(practitioner=practitioner, location=location, weekday=d, start=s, end=e) for d, s, e in by_day
        )
        # bulk_create sends no post_save: the calendars' setup stamp is renewed here.
        setup_stamp_bump()
        return rows


def dated_hours_add(
    *,
    practitioner: Practitioner,
    location: Location,
    date: dt.date,
    start: dt.time,
    end: dt.time,
    now: dt.datetime,
) -> DatedHours:
    """Extra working time on one date, besides the week's. Refused when it ends before it starts,
    the date is past, or it overlaps (or repeats) extra hours of the same practitioner that date
    (anywhere: nobody works in two places at once) or the week's hours at another location. A
    closure over it still wins."""
    if end <= start:
        raise SetupError(_("The end must be after the start."))
    if date < local_date(now):
        raise SetupError(_("That date is over already."))
    with transaction.atomic():
        _lock_setup()
        clash = (
            DatedHours.objects.filter(practitioner=practitioner, date=date, start__lt=end, end__gt=start)
            .select_related("location")
            .first()
        )
        if clash is not None:
            raise SetupError(
                _("%(who)s already has extra hours then: %(start)s–%(end)s at %(place)s. Change or remove those.")
                % {
                    "who": practitioner.display_name,
                    "start": f"{clash.start:%H:%M}",
                    "end": f"{clash.end:%H:%M}",
                    "place": clash.location.name,
                }
            )
        week = (
            WorkingHours.objects.filter(practitioner=practitioner, weekday=date.weekday(), start__lt=end, end__gt=start)
            .exclude(location=location)
            .select_related("location")
            .first()
        )
        if week is not None:
            raise SetupError(
                _("%(who)s works %(start)s–%(end)s at %(place)s that day.")
                % {
                    "who": practitioner.display_name,
                    "start": f"{week.start:%H:%M}",
                    "end": f"{week.end:%H:%M}",
                    "place": week.location.name,
                }
            )
        # Saved one by one: post_save renews the calendars' setup stamp.
        return DatedHours.objects.create(practitioner=practitioner, location=location, date=date, start=start, end=end)


def dated_hours_remove(*, dated: DatedHours) -> None:
    with transaction.atomic():
        _lock_setup()
        dated.delete()


def _why_to_handle(appointment: Appointment) -> str:
    """Why this booking is to be moved or cancelled (the move's and the cancellation's reason): a
    closure covers it, or the hours left it outside. Refused when neither holds any more."""
    if appointment.status == Appointment.Status.BOOKED:
        closure = closure_covering(appointment)
        if closure is not None:
            return _("Closure: %(reason)s") % {"reason": closure.reason}
        if booking_outside_hours(appointment):
            return _("The practitioner's hours changed")
    raise SetupError(_("This booking is no longer inside a closure or outside the hours: nothing to do."))


def covered_booking_move(*, appointment: Appointment, by: Actor, now: dt.datetime) -> list[Appointment]:
    """Move a booking a closure covers, or that the hours leave outside, to the nearest allowed
    time (its series' window kept, the later sessions where they are), through the desk's move
    service (which re-checks it and tells the patient)."""
    reason = _why_to_handle(appointment)
    covered = nearest_allowed(appointment, now=now)
    if covered.proposed is None:
        raise SetupError(
            _("No free time keeps this session's spacing: %(why)s. Move it by hand or cancel it.")
            % {"why": covered.problem.rstrip(".")}
        )
    try:
        return appointment_move(appointment=appointment, start=covered.proposed, by=by, now=now, reason=reason)
    except BookingError as exc:
        raise SetupError(exc.message) from exc


def covered_booking_cancel(*, appointment: Appointment, by: Actor, now: dt.datetime) -> Appointment:
    """Cancel a booking a closure covers, or that the hours leave outside, as the clinic, through
    the desk's cancel service (the patient is told by the usual notice)."""
    reason = _why_to_handle(appointment)
    try:
        return appointment_cancel(
            appointment=appointment,
            kind=Appointment.CancelKind.CLINIC,
            reason=reason,
            by=by,
            now=now,
        ).appointment
    except BookingError as exc:
        raise SetupError(exc.message) from exc


def own_time_off_allow(*, allowed: bool) -> bool:
    """Whether practitioners may add and remove their own time off (/desk/setup/time-off/): set by
    the clinic admin on the setup page. Returns whether it changed."""
    with transaction.atomic():
        _lock_setup()
        changed = (
            ClinicSettings.objects.filter(pk=1)
            .exclude(practitioners_own_time_off=allowed)
            .update(practitioners_own_time_off=allowed)
        )
    return bool(changed)
