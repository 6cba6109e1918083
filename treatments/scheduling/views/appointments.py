"""The desk's appointment pages: book a standalone appointment, move one, cancel one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinic.audit import audit_record
from clinic.localtime import to_local
from clinic.models import AuditEntry
from clinic.roles import desk_required
from patients.access import patient_for
from treatments.models import Appointment
from treatments.scheduling.access import appointment_for
from treatments.scheduling.forms.series import AppointmentForm, CancelForm, MoveForm, prefill
from treatments.scheduling.selectors.moves import move_suggestions
from treatments.scheduling.selectors.series_notes import series_spacing
from treatments.scheduling.services.booking import (
    BookingError,
    Cancellation,
    appointment_book,
    appointment_cancel,
    appointment_move,
)


def _back(appointment: Appointment) -> HttpResponse:
    if appointment.series_id:
        return redirect("desk:series", pk=appointment.series_id)
    return redirect("desk:patient", pk=appointment.patient_id)


@desk_required
def appointment_new(request: HttpRequest) -> HttpResponse:
    patient = patient_for(request.user, request.POST.get("patient") or request.GET.get("patient"))
    form = AppointmentForm(request.POST or None, initial=prefill(request.GET))
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            appointment = appointment_book(patient=patient, **form.booking(), by=request.user, now=timezone.now())
        except BookingError as exc:
            error = exc.message
        else:
            audit_record(request=request, action=AuditEntry.Action.CREATE, obj=appointment, patient_id=patient.pk)
            messages.success(request, _("Appointment booked."))
            return redirect("desk:patient", pk=patient.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "treatments/series_appointment_new.html",
        {"patient": patient, "form": form, "error": error},
        status=status,
    )


@desk_required
def appointment_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = appointment_for(request.user, pk)
    error = None
    if request.method == "POST":
        form = MoveForm(request.POST)
        if form.is_valid():
            try:
                moved = appointment_move(
                    appointment=appointment,
                    start=form.start(),
                    by=request.user,
                    now=timezone.now(),
                    reason=form.cleaned_data["reason"],
                    shift_later=form.cleaned_data["shift_later"],
                )
            except BookingError as exc:
                error = exc.message
            else:
                say_moved(request, appointment, moved)
                _say_spacing(request, appointment)
                return _back(appointment)
        else:
            error = _("Check the date and time.")
    else:
        local = to_local(appointment.start)
        # A suggestion link fills the form (?date=...&time=...); the desk still confirms.
        form = MoveForm(
            initial={
                "date": request.GET.get("date") or local.date(),
                "time": request.GET.get("time") or local.time(),
                "shift_later": True,
            }
        )
    options = move_suggestions(appointment=appointment, now=timezone.now())
    ctx = {
        "appointment": appointment,
        "form": form,
        "error": error,
        "window": options.window,
        "window_shifted": options.window_shifted,
        "suggestions": options.suggestions,
    }
    return render(request, "treatments/series_move.html", ctx, status=400 if error else 200)


def say_moved(request: HttpRequest, appointment: Appointment, moved: list[Appointment]) -> None:
    """After a move (the series page's or the calendar's): the audit entry and "Moved n appointments"."""
    audit_record(request=request, action=AuditEntry.Action.CHANGE, obj=appointment, patient_id=appointment.patient_id)
    messages.success(
        request,
        ngettext("Moved %(n)d appointment.", "Moved %(n)d appointments.", len(moved)) % {"n": len(moved)},
    )


def _say_spacing(request: HttpRequest, appointment: Appointment) -> None:
    """After a move, every session of the series now spaced other than the protocol says so."""
    if appointment.series is None:
        return
    for note in series_spacing(appointment.series):
        text = _("Session %(step)d: %(spacing)s.") % {"step": note.step, "spacing": note.text}
        (messages.error if note.level == "error" else messages.warning)(request, text)


def _say_cancelled(request: HttpRequest, done: Cancellation, replan: bool) -> None:
    step = done.appointment.series_step
    if done.not_replanned:
        messages.warning(
            request,
            _("Session %(step)d was cancelled, but the rest could not be re-planned: %(why)s.")
            % {"step": step, "why": done.not_replanned},
        )
    elif done.replanned:
        n = len(done.replanned)
        messages.success(
            request,
            ngettext(
                "Session %(step)d was cancelled and %(n)d later session re-planned.",
                "Session %(step)d was cancelled and %(n)d later sessions re-planned.",
                n,
            )
            % {"step": step, "n": n},
        )
    elif replan and step:
        messages.success(
            request,
            _("Session %(step)d was cancelled; the later sessions already keep the spacing.") % {"step": step},
        )
    else:
        messages.success(request, _("Appointment cancelled."))


@desk_required
def appointment_call_off(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = appointment_for(request.user, pk)
    error = None
    form = CancelForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                done = appointment_cancel(
                    appointment=appointment,
                    kind=data["kind"],
                    reason=data["reason"],
                    by=request.user,
                    now=timezone.now(),
                    replan_rest=data["replan_rest"],
                )
            except BookingError as exc:
                error = exc.message
                if data["replan_rest"]:
                    error += " " + _("Nothing was cancelled; untick re-planning to cancel only this one.")
            else:
                audit_record(
                    request=request, action=AuditEntry.Action.CHANGE, obj=appointment, patient_id=appointment.patient_id
                )
                _say_cancelled(request, done, data["replan_rest"])
                _say_spacing(request, appointment)
                return _back(appointment)
        else:
            error = _("Say who cancelled and why.")
    ctx = {"appointment": appointment, "form": form, "error": error}
    return render(request, "treatments/series_cancel.html", ctx, status=400 if error else 200)
