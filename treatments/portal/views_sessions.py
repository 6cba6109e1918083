"""The patient changes their own plan: move a session to a free time inside its window, or book
the next planned session. Both go through the desk's booking services (portal/services.py); when
nothing fits, the page keeps "ask us to move it" (the request to the desk) as the way out."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic.models import AuditEntry, ClinicSettings
from treatments.portal.access import (
    PortalHttpRequest,
    appointment_or_404,
    change_rate_limited,
    portal_audit,
    portal_context,
    portal_view,
    series_or_404,
)
from treatments.portal.forms import SlotForm
from treatments.portal.services import (
    appointment_is_upcoming,
    cancel_allowed_online,
    portal_appointment_reschedule,
    portal_session_book,
)
from treatments.portal.slots import portal_move_choices, portal_next_session
from treatments.portal.views import portal_form_write


@portal_view
@require_http_methods(["GET", "POST"])
def session_move(request: PortalHttpRequest, *, now, appointment_id: int) -> HttpResponse:
    appointment = appointment_or_404(request, appointment_id)
    clinic = ClinicSettings.load()
    allowed = cancel_allowed_online(appointment=appointment, now=now, clinic=clinic)
    if request.method == "POST" and (limited := change_rate_limited(request)):
        return limited
    choices = portal_move_choices(appointment=appointment, now=now) if allowed else None
    form = SlotForm(request.POST if request.method == "POST" else None, slots=choices.slots if choices else [])

    def move(data: dict) -> str:
        portal_appointment_reschedule(appointment=appointment, start=data["start"], now=now)
        portal_audit(request, AuditEntry.Action.CHANGE, obj=appointment)
        return _("Your session has been moved. We have sent you the new time.")

    def page(status: int) -> HttpResponse:
        ctx = portal_context(
            request,
            appointment=appointment,
            form=form,
            choices=choices,
            allowed=allowed,
            upcoming=appointment_is_upcoming(appointment=appointment, now=now),
            clinic=clinic,
        )
        return render(request, "treatments/portal/move.html", ctx, status=status)

    return portal_form_write(request, form, write=move, page=page, seen=appointment, allowed=allowed)


@portal_view
@require_http_methods(["GET", "POST"])
def series_next(request: PortalHttpRequest, *, now, series_id: int) -> HttpResponse:
    series = series_or_404(request, series_id)
    if request.method == "POST" and (limited := change_rate_limited(request)):
        return limited
    nxt = portal_next_session(series=series, now=now)
    form = SlotForm(request.POST if request.method == "POST" else None, slots=nxt.choices.slots if nxt else [])

    def book(data: dict) -> str:
        booked = portal_session_book(series=series, start=data["start"], now=now)
        portal_audit(request, AuditEntry.Action.CREATE, obj=booked)
        return _("Your session is booked. We have sent you the time.")

    def page(status: int) -> HttpResponse:
        ctx = portal_context(request, series=series, next=nxt, form=form, clinic=ClinicSettings.load())
        return render(request, "treatments/portal/next_session.html", ctx, status=status)

    return portal_form_write(request, form, write=book, page=page, seen=series, allowed=nxt is not None)
