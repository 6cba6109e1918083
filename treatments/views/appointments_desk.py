"""The desk's appointment pages: book a standalone appointment, move one, cancel one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.audit import audit_record
from clinic.models import AuditEntry, clinic_zone
from clinic.roles import desk_required
from patients.access import patient_for

from ..access_desk import appointment_for
from ..forms_series import AppointmentForm, CancelForm, MoveForm
from ..models import Appointment
from ..services.booking import BookingError, appointment_book, appointment_cancel, appointment_move, move_window
from .series import _ctx


def _back(appointment: Appointment) -> HttpResponse:
    if appointment.series_id:
        return redirect("desk:series", pk=appointment.series_id)
    return redirect("desk:patient", pk=appointment.patient_id)


@desk_required
def appointment_new(request: HttpRequest) -> HttpResponse:
    patient = patient_for(request.user, request.POST.get("patient") or request.GET.get("patient"))
    form = AppointmentForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment = appointment_book(
                patient=patient,
                practitioner=data["practitioner"],
                location=data["location"],
                appointment_type=data["appointment_type"],
                room=data["room"],
                start=form.start(),
                by=request.user,
                now=timezone.now(),
            )
        except BookingError as exc:
            error = exc.message
        else:
            audit_record(request=request, action=AuditEntry.Action.CREATE, obj=appointment, patient_id=patient.pk)
            messages.success(request, _("Appointment booked."))
            return redirect("desk:patient", pk=patient.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "treatments/series_appointment_new.html", _ctx(patient=patient, form=form, error=error), status=status
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
                audit_record(
                    request=request, action=AuditEntry.Action.CHANGE, obj=appointment, patient_id=appointment.patient_id
                )
                messages.success(request, _("Moved %(n)d appointment(s).") % {"n": len(moved)})
                return _back(appointment)
        else:
            error = _("Check the date and time.")
    else:
        local = appointment.start.astimezone(clinic_zone())
        form = MoveForm(initial={"date": local.date(), "time": local.time(), "shift_later": True})
    ctx = _ctx(
        appointment=appointment,
        form=form,
        error=error,
        window=move_window(appointment),
        window_shifted=move_window(appointment, shift_later=True),
    )
    return render(request, "treatments/series_move.html", ctx, status=400 if error else 200)


@desk_required
def appointment_call_off(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = appointment_for(request.user, pk)
    error = None
    form = CancelForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment_cancel(
                    appointment=appointment,
                    kind=data["kind"],
                    reason=data["reason"],
                    by=request.user,
                    now=timezone.now(),
                    replan_rest=data["replan_rest"],
                )
            except BookingError as exc:
                error = exc.message
            else:
                audit_record(
                    request=request, action=AuditEntry.Action.CHANGE, obj=appointment, patient_id=appointment.patient_id
                )
                messages.success(request, _("Appointment cancelled."))
                return _back(appointment)
        else:
            error = _("Say who cancelled and why.")
    ctx = _ctx(appointment=appointment, form=form, error=error)
    return render(request, "treatments/series_cancel.html", ctx, status=400 if error else 200)
