"""A practitioner's month on the desk: the weeks (Monday to Sunday) that cover it, each day with its
appointments in clinic wall-clock order. Two queries whatever the month holds: the appointments
(with patient and type) and the closures."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from clinic.localtime import clinic_zone, day_bounds, local_date
from clinic.models import Closure, Practitioner
from treatments.models import Appointment


@dataclass
class MonthDay:
    date: dt.date
    in_month: bool
    appointments: list[Appointment] = field(default_factory=list)
    closed: str = ""


@dataclass
class MonthCalendar:
    practitioner: Practitioner
    first: dt.date  # the 1st of the month
    weeks: list[list[MonthDay]]

    @property
    def previous(self) -> dt.date:
        return (self.first - dt.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> dt.date:
        return (self.first + dt.timedelta(days=32)).replace(day=1)


def month_calendar(*, practitioner: Practitioner, day: dt.date) -> MonthCalendar:
    first = day.replace(day=1)
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    grid_first = first - dt.timedelta(days=first.weekday())
    grid_last = last + dt.timedelta(days=6 - last.weekday())
    start, end = day_bounds(grid_first, grid_last)
    appointments = (
        Appointment.objects.filter(practitioner=practitioner, start__gte=start, start__lt=end)
        .select_related("patient", "appointment_type")
        .order_by("start", "id")
    )
    days: dict[dt.date, MonthDay] = {}
    current = grid_first
    while current <= grid_last:
        days[current] = MonthDay(date=current, in_month=current.month == first.month)
        current += dt.timedelta(days=1)
    zone = clinic_zone()
    for appointment in appointments:
        days[local_date(appointment.start, zone)].appointments.append(appointment)
    closures = Closure.objects.filter(starts_at__lt=end, ends_at__gt=start).filter(
        Q(practitioner__isnull=True) | Q(practitioner=practitioner)
    )
    for closure in closures:
        for date, month_day in days.items():
            day_start, day_end = day_bounds(date)
            if closure.starts_at < day_end and closure.ends_at > day_start and not month_day.closed:
                month_day.closed = closure.reason or "—"
    ordered = list(days.values())
    return MonthCalendar(
        practitioner=practitioner, first=first, weeks=[ordered[i : i + 7] for i in range(0, len(ordered), 7)]
    )
