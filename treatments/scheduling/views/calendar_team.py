"""The week of every practitioner on the desk calendar (/desk/week/): a lane per practitioner in
each open day, where the desk books by clicking an empty time and moves a card to another day,
time or practitioner (calendar.js and views/calendar_booking.py, as on the day); and the poll that
keeps the open week fresh, as the day's does."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clinic.localtime import local_date
from clinic.models import AppointmentType
from clinic.roles import desk_required
from treatments.scheduling.calendar_html import team_day_html, team_week_html
from treatments.scheduling.selectors.calendar_team import team_week_calendar
from treatments.scheduling.selectors.calendar_version import days_version
from treatments.scheduling.views.calendar import parse_day

# The lanes the page builds at once (about a screen and a half of them): the days beyond are
# loaded when they come into view, so a week of many practitioners is not built, sent and laid
# out whole when the desk looks at Monday.
LANES_AT_ONCE = 24
CARDS_AT_ONCE = 600  # and no more cards than this (a week of thousands answers with its first day)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def parse_practitioners(raw: list[str]) -> tuple[set[int] | None, str]:
    """The practitioners the desk chose to see (none chosen: everyone), or everyone with a message
    saying why the choice was not understood."""
    if not raw:
        return None, ""
    if not all(value.isdigit() and len(value) < 10 for value in raw):
        return None, _("That choice of practitioners is not one the calendar understands: showing everyone.")
    return {int(value) for value in raw}, ""


@desk_required
@require_GET
def team_week(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    day, problem = parse_day(request.GET.get("date"))
    first_day = _monday(day)
    only, only_problem = parse_practitioners(request.GET.getlist("practitioner"))
    problem = " ".join(p for p in (problem, only_problem) if p)
    data = team_week_calendar(first_day=first_day, now=now, only=only, lanes=LANES_AT_ONCE, cards=CARDS_AT_ONCE)
    today = local_date(now)
    keep = "".join(f"&practitioner={pk}" for pk in sorted(only or ()))
    context = {
        "week": data,
        "grid_html": team_week_html(data.days, data.grid, today=today, later=data.later, keep=keep),
        "practitioners": [c.practitioner for c in data.days[0].columns] if data.days else [],
        "only": only or set(),
        "keep": keep,
        "first_day": first_day,
        "last_day": first_day + dt.timedelta(days=6),
        # The day the Day button opens: today when it is in this week, else the week's Monday.
        "day": today if first_day <= today <= first_day + dt.timedelta(days=6) else first_day,
        "problem": problem,
        "previous": first_day - dt.timedelta(days=7),
        "next": first_day + dt.timedelta(days=7),
        "today": today,
        "appointment_types": AppointmentType.objects.all(),
    }
    return render(request, "treatments/calendar_team_week.html", context, status=400 if problem else 200)


@desk_required
@require_GET
def team_week_version(request: HttpRequest) -> HttpResponse:
    """What the open week polls: a short fingerprint that changes when any appointment in it does."""
    day, problem = parse_day(request.GET.get("date"))
    if problem:
        return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")
    first_day = _monday(day)
    text = days_version(first_day=first_day, last_day=first_day + dt.timedelta(days=6))
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _window(raw_first: str | None, raw_last: str | None) -> tuple[int, int] | None:
    """The page's grid minutes, as the later days' links carry them: whole hours of one day."""
    if raw_first is None or raw_last is None or not raw_first.isdigit() or not raw_last.isdigit():
        return None
    first, last = int(raw_first), int(raw_last)
    if first % 60 or last % 60 or not 0 <= first < last <= 24 * 60:
        return None
    return first, last


@desk_required
@require_GET
def team_week_day(request: HttpRequest) -> HttpResponse:
    """One day of the open week, loaded when it comes into view (htmx), on the page's rows."""
    day, problem = parse_day(request.GET.get("date"))
    only, only_problem = parse_practitioners(request.GET.getlist("practitioner"))
    window = _window(request.GET.get("first"), request.GET.get("last"))
    if problem or only_problem or window is None or not request.GET.get("date"):
        why = problem or only_problem or _("This day cannot be loaded: reload the week.")
        return HttpResponse(why, status=400, content_type="text/plain; charset=utf-8")
    now = timezone.now()
    data = team_week_calendar(first_day=_monday(day), now=now, only=only, one_day=day, window=window)
    html = team_day_html(data.days[0], data.grid, today=local_date(now))
    response = HttpResponse(html)
    response["Cache-Control"] = "no-store"
    return response
