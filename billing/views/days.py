"""The day's close per location: the ledger by method against what the desk counted."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from billing import services
from billing.access import location_for
from billing.forms import DayCloseForm
from billing.selectors.pages import day_page
from clinic.localtime import day_text
from clinic.models import Location
from clinic.roles import AuthenticatedHttpRequest, desk_required

from ._common import actor, now, refusal


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@desk_required
def day_close(request: AuthenticatedHttpRequest) -> HttpResponse:
    """?location=<id>&date=YYYY-MM-DD (default: the first active location, its open business date)."""
    locations = list(Location.objects.filter(active=True))
    chosen = request.POST.get("location") or request.GET.get("location")
    if chosen:
        location = location_for(request.user, chosen)
    elif locations:
        location = locations[0]
    else:
        return render(request, "billing/day_close.html", {"page": None, "locations": []})
    day = _date(request.POST.get("date") or request.GET.get("date"))
    page = day_page(location_id=location.pk, business_date=day, now=now())
    initial = {f"counted_{t.method}": t.expected for t in page.totals}
    form = DayCloseForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.day_close(
                    location_id=location.pk,
                    business_date=page.business_date,
                    counted=form.counted(),
                    note=form.cleaned_data["note"],
                    now=now(),
                    **actor(request),
                )
            except services.BillingError as exc:
                status = refusal(form, exc)
            else:
                messages.success(request, _("%(date)s is closed.") % {"date": day_text(page.business_date)})
                return redirect(f"{request.path}?location={location.pk}&date={page.business_date.isoformat()}")
    ctx = {"page": page, "form": form, "location": location, "locations": locations}
    return render(request, "billing/day_close.html", ctx, status=status)
