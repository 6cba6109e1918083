"""Booking and moving from the desk calendar. The desk clicks an empty slot, finds the patient in
the dialog that opens (htmx against the patient search), picks a type and books through the same
appointment_book service as the booking page, or starts a series there. A card dragged to another
time or practitioner (or moved with the keyboard) shows what the move does to its series' spacing and
who takes it, and moves through appointment_move once confirmed. Errors stay in the dialog. Both go
back to the view they started from (the day, or the week of every practitioner)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.audit import audit_record
from clinic.localtime import local_date, to_local
from clinic.models import AuditEntry, Location, Practitioner
from clinic.roles import desk_required
from patients.access import patient_for
from treatments.scheduling.access import appointment_for
from treatments.scheduling.forms.calendar import CalendarMoveForm, SlotForm
from treatments.scheduling.forms.series import AppointmentForm
from treatments.scheduling.selectors.calendar_slot import slot_location, slot_patients, slot_types
from treatments.scheduling.selectors.move_preview import move_preview
from treatments.scheduling.services.booking import BookingError, appointment_book, appointment_move
from treatments.scheduling.services.booking_changes import move_slot_problem
from treatments.scheduling.views.appointments import say_moved


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def calendar_url(day: dt.date, *, back: str, mark: tuple[str, int]) -> str:
    """The day (or, with back="week", the week of every practitioner) to show after a booking or a
    move, on the card. The mark (`booked=` or `moved=`) makes the address differ from the open
    one's, so the browser loads it rather than only jumping to the anchor."""
    name = "desk:calendar_team_week" if back == "week" else "desk:calendar"
    key, pk = mark
    return f"{reverse(name)}?date={day.isoformat()}&{key}={pk}#appt-{pk}"


def _done(request: HttpRequest, url: str) -> HttpResponse:
    if _htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _slot_context(form: SlotForm) -> dict:
    data = form.cleaned_data
    practitioner = data["practitioner"]
    return {
        "form": form,
        "practitioner": practitioner,
        "day": data["date"],
        "time": data["time"],
        "location": slot_location(practitioner=practitioner, day=data["date"], at=data["time"]),
        "patients": slot_patients(data.get("q") or ""),
        "query": data.get("q") or "",
        "types": slot_types(),
    }


@desk_required
@require_GET
def slot(request: HttpRequest) -> HttpResponse:
    """The dialog's body for one slot (a whole page when opened without htmx)."""
    form = SlotForm(request.GET)
    template = "treatments/calendar_slot.html" if _htmx(request) else "treatments/calendar_slot_page.html"
    if not form.is_valid():
        return render(request, template, {"form": form, "invalid": True}, status=400)
    return render(request, template, {**_slot_context(form), "back": request.GET.get("back", "")})


@desk_required
@require_POST
def slot_book(request: HttpRequest) -> HttpResponse:
    patient = patient_for(request.user, request.POST.get("patient"))
    form = AppointmentForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            appointment = appointment_book(patient=patient, **form.booking(), by=request.user, now=timezone.now())
        except BookingError as exc:
            error = exc.message
        else:
            audit_record(request=request, action=AuditEntry.Action.CREATE, obj=appointment, patient_id=patient.pk)
            messages.success(
                request,
                _("%(name)s is booked at %(time)s.")
                % {"name": patient.full_name, "time": f"{to_local(appointment.start):%H:%M}"},
            )
            day = local_date(appointment.start)
            url = calendar_url(day, back=request.POST.get("back", ""), mark=("booked", appointment.pk))
            return _done(request, url)
    else:
        error = _("Choose a type for the appointment.") if "appointment_type" in form.errors else _("Check the slot.")
    if not _htmx(request):
        messages.error(request, error)
        back = {k: request.POST.get(k, "") for k in ("practitioner", "date", "time")}
        return redirect(f"{reverse('desk:calendar_slot')}?{urlencode(back)}")
    return render(request, "treatments/calendar_slot_error.html", {"error": error}, status=400)


def _moved_practitioner(form: CalendarMoveForm, appointment) -> Practitioner | None:
    """The practitioner chosen in the dialog when it is not the appointment's own."""
    chosen = form.cleaned_data.get("practitioner")
    return chosen if chosen is not None and chosen.pk != appointment.practitioner_id else None


def _moved_location(form: CalendarMoveForm, appointment) -> Location:
    """The place chosen in the dialog; none chosen: where the practitioner it goes to works at the
    new time (its own place when it stays with its practitioner)."""
    chosen = form.cleaned_data.get("location")
    if chosen is not None:
        return chosen
    practitioner = _moved_practitioner(form, appointment)
    if practitioner is None:
        return appointment.location
    found = slot_location(practitioner=practitioner, day=form.cleaned_data["date"], at=form.cleaned_data["time"])
    return found or appointment.location


def _move_context(appointment, form: CalendarMoveForm, **extra) -> dict:
    return {
        "appointment": appointment,
        "form": form,
        "practitioners": Practitioner.objects.filter(active=True),
        "locations": Location.objects.filter(active=True),
        "chosen_location": extra.get("location") or appointment.location,
        "location_given": form.cleaned_data.get("location") if form.is_bound and form.is_valid() else None,
        "back": form.data.get("back", "") if form.is_bound else "",
        "chosen": extra.get("new_practitioner") or appointment.practitioner,
        **extra,
    }


@desk_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """A card dropped on another time or practitioner (or moved with the keyboard): GET shows what
    the move does to the series' spacing and who takes it, and asks; POST moves through
    appointment_move."""
    appointment = appointment_for(request.user, pk)
    template = "treatments/calendar_move.html" if _htmx(request) else "treatments/calendar_move_page.html"
    now = timezone.now()
    if request.method == "GET":
        form = CalendarMoveForm(request.GET)
        if not form.is_valid():
            status = 400 if request.GET else 200
            local = to_local(appointment.start)
            initial = {"date": local.date(), "time": local.time(), "practitioner": appointment.practitioner_id}
            ctx = _move_context(appointment, CalendarMoveForm(initial=initial), back=request.GET.get("back", ""))
            return render(request, template, ctx, status=status)
        preview = move_preview(appointment=appointment, start=form.start(), now=now)
        practitioner, location = _moved_practitioner(form, appointment), _moved_location(form, appointment)
        # The confirm's own check, asked now: the dialog never says "fine" to a move it would refuse.
        problem = move_slot_problem(
            appointment=appointment, start=form.start(), now=now, practitioner=practitioner, location=location
        )
        ctx = _move_context(
            appointment, form, preview=preview, new_practitioner=practitioner, location=location, problem=problem
        )
        return render(request, template, ctx)
    form = CalendarMoveForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            moved = appointment_move(
                appointment=appointment,
                start=form.start(),
                by=request.user,
                now=now,
                reason=_("Moved on the calendar"),
                shift_later=form.cleaned_data["shift_later"],
                practitioner=_moved_practitioner(form, appointment),
                location=_moved_location(form, appointment),
            )
        except BookingError as exc:
            error = exc.message
        else:
            say_moved(request, appointment, moved)
            data = form.cleaned_data
            return _done(request, calendar_url(data["date"], back=data["back"], mark=("moved", appointment.pk)))
    else:
        error = _("Check the date, time and practitioner.")
    if not _htmx(request):
        messages.error(request, error)
        return redirect(f"{reverse('desk:calendar_move', args=[appointment.pk])}?{urlencode(request.POST.dict())}")
    return render(request, "treatments/calendar_slot_error.html", {"error": error}, status=400)
