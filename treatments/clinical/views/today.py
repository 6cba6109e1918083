"""The practitioner's day: /practice/."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import roles
from clinic.localtime import local_date
from clinic.models import Practitioner
from clinic.roles import clinical_required
from treatments.clinical.access import practitioner_of
from treatments.clinical.selectors.records import practice_day


def _day(request: HttpRequest) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return local_date(timezone.now())
    # The page links the day before and after: the first and last dates there are have none.
    return day if dt.date.min < day < dt.date.max else local_date(timezone.now())


@clinical_required
def today(request: HttpRequest) -> HttpResponse:
    day = _day(request)
    practitioner = practitioner_of(request.user)
    choices = []
    if roles.has_role(request.user, roles.CLINIC_ADMIN):
        # The admin may look at any practitioner's day; it defaults to their own, or the first.
        choices = list(Practitioner.objects.filter(active=True).order_by("display_name"))
        wanted = request.GET.get("practitioner", "")
        picked = next((p for p in choices if str(p.pk) == wanted), None)
        practitioner = picked or practitioner or (choices[0] if choices else None)
    rows = practice_day(practitioner=practitioner, day=day) if practitioner else []
    return render(
        request,
        "treatments/practice_today.html",
        {
            "day": day,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "is_today": day == local_date(timezone.now()),
            "practitioner": practitioner,
            "choices": choices,
            "rows": rows,
            "no_practitioner": _("Your account is not linked to a practitioner. Ask the clinic admin to link it.")
            if practitioner is None
            else "",
        },
    )
