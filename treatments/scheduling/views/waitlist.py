"""The waitlist pages: who waits, add someone, who could take a freed slot."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.audit import audit_record
from clinic.models import AuditEntry
from clinic.roles import AuthenticatedHttpRequest, desk_required
from patients.access import patient_for
from treatments.models import Appointment
from treatments.scheduling.access import appointment_for, waitlist_entry_for
from treatments.scheduling.forms.calendar import WaitlistForm
from treatments.scheduling.selectors.waitlist import freed_slots, waitlist_candidates, waitlist_open
from treatments.scheduling.selectors.waitlist_history import waitlist_offers_recent, waitlist_resolved_recent
from treatments.scheduling.services.waitlist import WaitlistError, waitlist_add, waitlist_resolve


@desk_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    context = {
        "entries": waitlist_open(),
        "resolved": waitlist_resolved_recent(),
        "freed": freed_slots(now=now),
        "offers": [(o, o.outcome(now)) for o in waitlist_offers_recent()],
    }
    return render(request, "treatments/calendar_waitlist.html", context)


@desk_required
@require_http_methods(["GET", "POST"])
def add(request: AuthenticatedHttpRequest) -> HttpResponse:
    raw = request.POST.get("patient") or request.GET.get("patient")
    if not raw:
        messages.info(request, _("Find the patient first, then choose “Add to waitlist”."))
        return redirect("patients:search")
    patient = patient_for(request.user, raw)
    now = timezone.now()
    form = WaitlistForm(request.POST or None, patient=patient, now=now)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            waitlist_add(
                patient=patient,
                practitioner=data["practitioner"],
                appointment_type=data["appointment_type"],
                appointment=data["appointment"],
                note=data["note"],
                by=request.user,
                now=now,
            )
        except WaitlistError as exc:
            form.add_error(None, str(exc))
        else:
            audit_record(
                request=request,
                action=AuditEntry.Action.CREATE,
                object_type="treatments.waitlistentry",
                patient_id=patient.pk,
            )
            messages.success(request, _("%(name)s is on the waitlist.") % {"name": patient.full_name})
            return redirect("desk:waitlist")
    return render(
        request,
        "treatments/calendar_waitlist_form.html",
        {"form": form, "patient": patient},
        status=400 if form.errors else 200,
    )


@desk_required
@require_POST
def resolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = waitlist_entry_for(request.user, pk)
    try:
        waitlist_resolve(entry=entry, by=request.user, now=timezone.now())
    except WaitlistError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s is off the waitlist.") % {"name": entry.patient.full_name})
    next_url = request.POST.get("next", "")
    return redirect(next_url if next_url.startswith("/desk/") else "desk:waitlist")


@desk_required
@require_GET
def freed_slot(request: HttpRequest, pk: int) -> HttpResponse:
    """The waiting patients who could take the time a cancelled appointment freed."""
    freed = appointment_for(request.user, pk)
    if freed.status != Appointment.Status.CANCELLED:
        raise Http404
    now = timezone.now()
    candidates = waitlist_candidates(freed=freed, now=now)
    return render(
        request,
        "treatments/calendar_waitlist_slot.html",
        {"freed": freed, "candidates": candidates, "past": freed.start <= now},
    )
