"""/desk/setup/own-time-off/: the clinic admin says whether practitioners add their own time off
(the setting sat only in the Django admin's clinic settings)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinic.models import ClinicSettings, Practitioner
from clinic.roles import admin_required
from treatments.setup.forms import ClosureForm, OwnTimeOffForm
from treatments.setup.selectors import upcoming_closures
from treatments.setup.services import own_time_off_allow


def own_time_off_form(data=None) -> OwnTimeOffForm:
    allowed = ClinicSettings.load().practitioners_own_time_off
    return OwnTimeOffForm(data, initial={"allowed": "yes" if allowed else "no"})


@admin_required
@require_POST
def own_time_off(request: HttpRequest) -> HttpResponse:
    form = own_time_off_form(request.POST)
    if not form.is_valid():
        practitioners = list(Practitioner.objects.filter(active=True).prefetch_related("working_hours__location"))
        context = {
            "practitioners": practitioners,
            "closures": upcoming_closures(practitioner=None, now=timezone.now()),
            "form": ClosureForm(),
            "own_form": form,
        }
        return render(request, "setup/index.html", context, status=400)
    allowed = form.cleaned_data["allowed"]
    own_time_off_allow(allowed=allowed)
    if allowed:
        messages.success(request, _("Practitioners now add and remove their own time off, under “My time off”."))
    else:
        messages.success(request, _("Only the clinic admin adds time off now."))
    return redirect("setup:index")
