"""The patient portal: everything behind one secure link. Every view is public (no login) and
resolves the link first through treatments.portal.access (a wrong link or another patient's id is
a 404). Moving and booking sessions: views_sessions.py."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clinic.models import AuditEntry, ClinicSettings
from treatments.portal.access import (
    PortalHttpRequest,
    appointment_or_404,
    checkin_rate_limited,
    portal_audit,
    portal_context,
    portal_view,
)
from treatments.portal.forms import CancelForm, CheckInForm, ScreeningForm
from treatments.portal.selectors import (
    portal_intake_due,
    portal_open_offers,
    portal_series_for_aftercare,
    portal_series_progress,
    portal_upcoming,
)
from treatments.portal.services import (
    PortalError,
    appointment_is_upcoming,
    cancel_allowed_online,
    portal_appointment_cancel,
    portal_appointment_confirm,
    portal_checkin_record,
    portal_move_request,
    portal_screening_record,
)
from treatments.scheduling.feeds import appointment_file


def portal_form_write(
    request: PortalHttpRequest,
    form: forms.Form,
    *,
    write: Callable[[dict], str],
    page: Callable[[int], HttpResponse],
    seen: Model,
    allowed: bool = True,
) -> HttpResponse:
    """A portal page with one form that changes the patient's plan, answered one way on every such
    page: shown on GET (`seen` audited as viewed); sent and `allowed` and valid, `write` calls the
    service (and audits what it changed) and its thank-you shows on the portal's home; otherwise the
    page again (400) with why: the form's errors, or the service's refusal in the form."""
    if request.method != "POST":
        portal_audit(request, AuditEntry.Action.VIEW, obj=seen)
        return page(200)
    if allowed and form.is_valid():
        try:
            done = write(form.cleaned_data)
        except PortalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("portal:home", token=request.portal_token)
    return page(400)


@portal_view
@require_GET
def home(request: PortalHttpRequest, *, now) -> HttpResponse:
    upcoming = portal_upcoming(patient=request.portal_patient, now=now)
    progress = portal_series_progress(patient=request.portal_patient, upcoming=upcoming)
    offers = portal_open_offers(patient=request.portal_patient, now=now)
    intake_due = portal_intake_due(patient=request.portal_patient, upcoming=upcoming)
    portal_audit(request, AuditEntry.Action.VIEW, object_type="portal.home")
    return render(
        request,
        "treatments/portal/home.html",
        portal_context(
            request, upcoming=upcoming, progress=progress, offers=offers, intake_due=intake_due, section="home"
        ),
    )


@portal_view
@require_GET
def short(request: PortalHttpRequest) -> HttpResponse:
    """/p/<token>, the one link a text carries: checked like every portal page (a revoked link is a
    404 here too), then on to the portal's home."""
    return redirect("portal:home", token=request.portal_token)


@portal_view
@require_GET
def session_ics(request: PortalHttpRequest, *, now, appointment_id: int) -> HttpResponse:
    appointment = appointment_or_404(request, appointment_id)
    body = appointment_file(appointment=appointment, now=now)
    portal_audit(request, AuditEntry.Action.EXPORT, obj=appointment)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response


@portal_view
@require_http_methods(["GET", "POST"])
def session_before(request: PortalHttpRequest, *, now, appointment_id: int) -> HttpResponse:
    appointment = appointment_or_404(request, appointment_id)
    form = ScreeningForm(request.POST if request.method == "POST" else None)
    upcoming = appointment_is_upcoming(appointment=appointment, now=now)

    def answer(data: dict) -> str:
        portal_screening_record(
            patient=request.portal_patient, appointment=appointment, answers=form.answers(), note=data["note"], now=now
        )
        portal_audit(request, AuditEntry.Action.CREATE, obj=appointment, object_type="patients.screeninganswer")
        return _("Thank you. Your answers have reached the clinic.")

    def page(status: int) -> HttpResponse:
        clinic = ClinicSettings.load()
        ctx = portal_context(request, appointment=appointment, form=form, upcoming=upcoming, clinic=clinic)
        return render(request, "treatments/portal/before.html", ctx, status=status)

    return portal_form_write(request, form, write=answer, page=page, seen=appointment)


@portal_view
@require_http_methods(["GET", "POST"])
def session_confirm(request: PortalHttpRequest, *, now, appointment_id: int) -> HttpResponse:
    appointment = appointment_or_404(request, appointment_id)
    error = ""
    if request.method == "POST":
        try:
            portal_appointment_confirm(appointment=appointment, now=now)
        except PortalError as exc:
            error = str(exc)
        else:
            portal_audit(request, AuditEntry.Action.CHANGE, obj=appointment)
            messages.success(request, _("Thank you, we have noted that you will come."))
            return redirect("portal:home", token=request.portal_token)
    return render(
        request,
        "treatments/portal/confirm.html",
        portal_context(
            request,
            appointment=appointment,
            error=error,
            upcoming=appointment_is_upcoming(appointment=appointment, now=now),
        ),
        status=400 if error else 200,
    )


@portal_view
@require_http_methods(["GET", "POST"])
def session_cancel(request: PortalHttpRequest, *, now, appointment_id: int) -> HttpResponse:
    appointment = appointment_or_404(request, appointment_id)
    clinic = ClinicSettings.load()
    allowed = cancel_allowed_online(appointment=appointment, now=now, clinic=clinic)
    form = CancelForm(request.POST if request.method == "POST" else None)
    upcoming = appointment_is_upcoming(appointment=appointment, now=now)
    status = 200
    confirming = False
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        elif form.cleaned_data["action"] == "cancel" and not form.cleaned_data["confirmed"] and allowed and upcoming:
            # Ask once more, on a page of its own, before anything changes (a cancellation the
            # patient may not make, too late or already made, goes on to the service: it says why).
            confirming = True
        else:
            reason = form.cleaned_data["reason"]
            try:
                if form.cleaned_data["action"] == "cancel":
                    portal_appointment_cancel(appointment=appointment, reason=reason, now=now)
                    done = _("Your session has been cancelled. Call us whenever you want to book again.")
                else:
                    portal_move_request(patient=request.portal_patient, appointment=appointment, note=reason, now=now)
                    done = _("We have your request and will contact you to find a new time.")
            except PortalError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                portal_audit(request, AuditEntry.Action.CHANGE, obj=appointment)
                messages.success(request, done)
                return redirect("portal:home", token=request.portal_token)
    return render(
        request,
        "treatments/portal/cancel.html",
        portal_context(
            request,
            appointment=appointment,
            form=form,
            allowed=allowed,
            upcoming=upcoming,
            confirming=confirming,
            clinic=clinic,
        ),
        status=status,
    )


@portal_view
@require_http_methods(["GET", "POST"])
def checkin(request: PortalHttpRequest, *, now) -> HttpResponse:
    form = CheckInForm(request.POST if request.method == "POST" else None)
    clinic = ClinicSettings.load()
    if request.method == "POST":
        if limited := checkin_rate_limited(request):
            return limited
        if form.is_valid():
            try:
                record = portal_checkin_record(
                    patient=request.portal_patient,
                    pain=form.cleaned_data["pain"],
                    note=form.cleaned_data["note"],
                    red_flags=form.cleaned_data["red_flags"],
                    now=now,
                )
            except PortalError as exc:
                form.add_error(None, str(exc))
            else:
                portal_audit(request, AuditEntry.Action.CREATE, obj=record)
                return render(
                    request,
                    "treatments/portal/checkin_done.html",
                    portal_context(
                        request, checkin=record, flags=record.red_flag_labels, clinic=clinic, section="checkin"
                    ),
                )
        return render(
            request,
            "treatments/portal/checkin.html",
            portal_context(request, form=form, clinic=clinic, section="checkin"),
            status=400,
        )
    return render(
        request, "treatments/portal/checkin.html", portal_context(request, form=form, clinic=clinic, section="checkin")
    )


def _aftercare(request: PortalHttpRequest, **extra) -> dict:
    """The guides are named by slug and shown by education's own template tag (`aftercare_guides`):
    the portal does not import the education app."""
    series = portal_series_for_aftercare(patient=request.portal_patient)
    return portal_context(
        request,
        guide_slugs=[s.protocol.aftercare_slug for s in series],
        conditions=[s.protocol.condition for s in series],
        clinic=ClinicSettings.load(),
        **extra,
    )


@portal_view
@require_GET
def aftercare(request: PortalHttpRequest) -> HttpResponse:
    portal_audit(request, AuditEntry.Action.VIEW, object_type="portal.aftercare")
    return render(request, "treatments/portal/aftercare.html", _aftercare(request, section="aftercare"))


@portal_view
@require_GET
def aftercare_print(request: PortalHttpRequest) -> HttpResponse:
    portal_audit(request, AuditEntry.Action.VIEW, object_type="portal.aftercare")
    back_url = reverse("portal:aftercare", kwargs={"token": request.portal_token})
    return render(request, "treatments/portal/aftercare_print.html", _aftercare(request, back_url=back_url))
