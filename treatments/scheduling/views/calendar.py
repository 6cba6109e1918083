"""The desk calendar: the day view at /desk/ (and the poll that keeps it fresh), a practitioner's
week and month, check-in and no-show."""

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinic.layout_frame import framed_response
from clinic.localtime import day_bounds, local_date
from clinic.middleware import may_cache
from clinic.models import AppointmentType, Location, Practitioner
from clinic.roles import PRACTITIONER, desk_required, has_role
from treatments.scheduling.access import appointment_for, practitioner_for
from treatments.scheduling.calendar_html import grid_html
from treatments.scheduling.day_grid import DayAsked, day_grid
from treatments.scheduling.forms.calendar import NextSlotForm
from treatments.scheduling.selectors.calendar import read_day, week_calendar
from treatments.scheduling.selectors.calendar_month import month_calendar
from treatments.scheduling.selectors.calendar_setup import calendar_setup
from treatments.scheduling.selectors.slots import SEARCH_DAYS, next_free_slots
from treatments.scheduling.selectors.type_colours import appointment_type_colours
from treatments.scheduling.services.attendance import AttendanceError, appointment_check_in, appointment_mark_no_show


def _today() -> dt.date:
    return local_date(timezone.now())


def parse_day(raw: str | None) -> tuple[dt.date, str]:
    """The asked-for day, or today with a message saying why the asked one was not understood."""
    if not raw:
        return _today(), ""
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        return _today(), _("“%(value)s” is not a date the calendar understands: use YYYY-MM-DD. Showing today.") % {
            "value": raw[:40]
        }
    if not 2000 <= day.year <= 2100:
        return _today(), _("%(value)s is outside the calendar (years 2000 to 2100). Showing today.") % {
            "value": raw[:40]
        }
    return day, ""


def parse_location(raw: str | None, locations: list[Location]) -> tuple[Location | None, str]:
    if not raw:
        return None, ""
    for location in locations:
        if str(location.pk) == raw:
            return location, ""
    return None, _("There is no such location: showing every location.")


@desk_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    day, problem = parse_day(request.GET.get("date"))
    setup = calendar_setup()  # kept by the process while the setup stamp holds (one query for its token)
    location, location_problem = parse_location(request.GET.get("location"), setup.locations)
    problem = " ".join(p for p in (problem, location_problem) if p)
    asked = DayAsked(day=day, location=location, feed_link=has_role(request.user, PRACTITIONER), setup=setup)
    grid = day_grid(asked=asked, now=timezone.now())
    # The grid is kept encoded (day_grid.DayGrid.body) and the page's layout kept per what it shows
    # of the request (clinic.layout_frame): joined as bytes, no copy of the grid's 300 KB through
    # the template.
    template = "treatments/calendar_day.html"
    return framed_response(request, template, grid.body, context={"problem": problem}, status=400 if problem else 200)


@desk_required
@require_GET
def version(request: HttpRequest) -> HttpResponse:
    """What the open day polls: the day's version (a digest of what its grid shows), which changes
    when anything on it does; the page holds the one it was built from."""
    day, problem = parse_day(request.GET.get("date"))
    setup = calendar_setup()  # kept by the process while the setup stamp holds (one query for its token)
    location, location_problem = parse_location(request.GET.get("location"), setup.locations)
    if problem or location_problem:
        return HttpResponse(problem or location_problem, status=400, content_type="text/plain; charset=utf-8")
    text = read_day(day=day, location_id=location.pk if location else None, setup=setup).version
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@desk_required
@require_GET
def week(request: HttpRequest, pk: int) -> HttpResponse:
    practitioner = practitioner_for(request.user, pk)
    day, problem = parse_day(request.GET.get("date"))
    first_day = day - dt.timedelta(days=day.weekday())
    data = week_calendar(practitioner=practitioner, first_day=first_day, now=timezone.now())
    context = {
        "cal": data,
        "grid_html": grid_html(data.grid, week=True),
        "practitioner": practitioner,
        "first_day": first_day,
        "last_day": first_day + dt.timedelta(days=6),
        "problem": problem,
        "previous": first_day - dt.timedelta(days=7),
        "next": first_day + dt.timedelta(days=7),
        "today": _today(),
        "practitioners": Practitioner.objects.filter(active=True),
        "appointment_types": AppointmentType.objects.all(),
    }
    return render(request, "treatments/calendar_week.html", context, status=400 if problem else 200)


@desk_required
@require_GET
def month(request: HttpRequest, pk: int) -> HttpResponse:
    practitioner = practitioner_for(request.user, pk)
    day, problem = parse_day(request.GET.get("date"))
    context = {
        "month": month_calendar(practitioner=practitioner, day=day),
        "practitioner": practitioner,
        "problem": problem,
        "today": _today(),
        "practitioners": Practitioner.objects.filter(active=True),
    }
    return render(request, "treatments/calendar_month.html", context, status=400 if problem else 200)


@may_cache  # colours of appointment types only, no patient
@desk_required
@require_GET
def type_colours(_request: HttpRequest) -> HttpResponse:
    """A stylesheet with one class per appointment type, from the colours set in the admin: the
    Content-Security-Policy allows stylesheets from this site, never inline styles."""
    lines = [
        f".cal-type-{pk} {{ border-left-color: {border}; background-color: {tint}; }}\n"
        f".cal-key-{pk} {{ background-color: {border}; }}"
        for pk, border, tint in appointment_type_colours()
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _back_to_calendar(appointment) -> HttpResponse:
    day = local_date(appointment.start)
    return redirect(f"{reverse('desk:calendar')}?date={day.isoformat()}#appt-{appointment.pk}")


def _attendance(request: HttpRequest, pk: int, service, done: str) -> HttpResponse:
    """Run an attendance service on the appointment and go back to its day on the calendar."""
    appointment = appointment_for(request.user, pk)
    try:
        service(appointment=appointment, by=request.user, now=timezone.now())
    except AttendanceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done % {"name": appointment.patient.full_name})
    return _back_to_calendar(appointment)


@desk_required
@require_POST
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    return _attendance(request, pk, appointment_check_in, _("%(name)s is checked in."))


@desk_required
@require_POST
def no_show(request: HttpRequest, pk: int) -> HttpResponse:
    return _attendance(request, pk, appointment_mark_no_show, _("%(name)s is marked as a no-show."))


@desk_required
@require_GET
def next_slot(request: HttpRequest) -> HttpResponse:
    today = _today()
    form = NextSlotForm(request.GET or None, today=today)
    slots = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        after, _end = day_bounds(data["after"] or today)
        slots = next_free_slots(
            practitioner=data["practitioner"],
            appointment_type=data["appointment_type"],
            location=data["location"],
            after=after,
            now=timezone.now(),
        )
    return render(
        request,
        "treatments/calendar_next_slot.html",
        {"form": form, "slots": slots, "days": SEARCH_DAYS},
        status=400 if form.errors else 200,
    )
