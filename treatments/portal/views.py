"""The patient portal: everything behind one secure link. Every view is public (no login) and
resolves the link first; a wrong, expired or revoked link is the same 404 as one that never existed,
and an appointment id that is not the link's patient's is a 404 too."""

import inspect
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from clinic.audit import audit_record
from clinic.client_address import client_ip
from clinic.models import AuditEntry, ClinicSettings
from clinic.roles import public
from patients.ratelimit import ratelimit_hit
from patients.tokens import portal_token_resolve
from treatments.models import Appointment
from treatments.portal.forms import CancelForm, CheckInForm, ScreeningForm
from treatments.portal.selectors import (
    portal_appointment,
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
    portal_token_touch,
)
from treatments.scheduling.feeds import appointment_file

# Failed link lookups per client address before its further misses are answered "too many".
FAILED_LOOKUP_LIMIT = 20
FAILED_LOOKUP_WINDOW = 15 * 60
RATE_SCOPE = "portal-miss"


def portal_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Resolve the link first. A view that works with the clock declares `now` and is given the
    time the link was checked at."""
    wants_now = "now" in inspect.signature(view).parameters

    @public
    @never_cache
    @wraps(view)
    def wrapped(request: HttpRequest, token: str, **kwargs) -> HttpResponse:
        now = timezone.now()
        access = portal_token_resolve(raw=token, now=now)
        if access is None:
            # Only misses are counted, and only after the lookup: a valid link always opens, even
            # from an address (a clinic's shared Wi-Fi, a phone carrier's) where someone guessed.
            misses = ratelimit_hit(
                scope=RATE_SCOPE, ident=client_ip(request) or "unknown", window_seconds=FAILED_LOOKUP_WINDOW
            )
            if misses > FAILED_LOOKUP_LIMIT:
                response = render(request, "treatments/portal/too_many.html", status=429)
                response["Retry-After"] = str(FAILED_LOOKUP_WINDOW)
                return response
            raise Http404
        portal_token_touch(token=access, now=now)
        request.portal_token = token
        request.portal_patient = access.patient
        if wants_now:
            kwargs["now"] = now
        response = view(request, **kwargs)
        # The link is a secret: keep it out of search engines. (Other sites never see it either:
        # the site-wide Referrer-Policy is same-origin; "no-referrer" would make browsers send
        # "Origin: null" on the portal's own forms, which CSRF protection rightly refuses.)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def _audit(request: HttpRequest, action: str, obj=None, object_type: str = "") -> None:
    audit_record(
        request=request,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id="" if obj is not None else request.portal_patient.pk,
        patient_id=request.portal_patient.pk,
        via="portal",
    )


def _appointment_or_404(request: HttpRequest, appointment_id: int) -> Appointment:
    appointment = portal_appointment(patient=request.portal_patient, appointment_id=appointment_id)
    if appointment is None:
        raise Http404
    return appointment


def _base(request: HttpRequest, **extra) -> dict:
    return {"token": request.portal_token, "patient": request.portal_patient, **extra}


@portal_view
@require_GET
def home(request: HttpRequest, *, now) -> HttpResponse:
    upcoming = portal_upcoming(patient=request.portal_patient, now=now)
    progress = portal_series_progress(patient=request.portal_patient, upcoming=upcoming)
    _audit(request, AuditEntry.Action.VIEW, object_type="portal.home")
    return render(
        request, "treatments/portal/home.html", _base(request, upcoming=upcoming, progress=progress, section="home")
    )


@portal_view
@require_GET
def short(request: HttpRequest) -> HttpResponse:
    """/p/<token>, the one link a text carries: checked like every portal page (a revoked link is a
    404 here too), then on to the portal's home."""
    return redirect("portal:home", token=request.portal_token)


@portal_view
@require_GET
def session_ics(request: HttpRequest, *, now, appointment_id: int) -> HttpResponse:
    appointment = _appointment_or_404(request, appointment_id)
    body = appointment_file(appointment=appointment, now=now)
    _audit(request, AuditEntry.Action.EXPORT, obj=appointment)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response


@portal_view
@require_http_methods(["GET", "POST"])
def session_before(request: HttpRequest, *, now, appointment_id: int) -> HttpResponse:
    appointment = _appointment_or_404(request, appointment_id)
    form = ScreeningForm(request.POST if request.method == "POST" else None)
    upcoming = appointment_is_upcoming(appointment=appointment, now=now)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                portal_screening_record(
                    patient=request.portal_patient,
                    appointment=appointment,
                    answers=form.answers(),
                    note=form.cleaned_data["note"],
                    now=now,
                )
            except PortalError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                _audit(request, AuditEntry.Action.CREATE, obj=appointment, object_type="patients.screeninganswer")
                messages.success(request, _("Thank you. Your answers have reached the clinic."))
                return redirect("portal:home", token=request.portal_token)
        else:
            status = 400
    else:
        _audit(request, AuditEntry.Action.VIEW, obj=appointment)
    return render(
        request,
        "treatments/portal/before.html",
        _base(request, appointment=appointment, form=form, upcoming=upcoming, clinic=ClinicSettings.load()),
        status=status,
    )


@portal_view
@require_http_methods(["GET", "POST"])
def session_confirm(request: HttpRequest, *, now, appointment_id: int) -> HttpResponse:
    appointment = _appointment_or_404(request, appointment_id)
    error = ""
    if request.method == "POST":
        try:
            portal_appointment_confirm(appointment=appointment, now=now)
        except PortalError as exc:
            error = str(exc)
        else:
            _audit(request, AuditEntry.Action.CHANGE, obj=appointment)
            messages.success(request, _("Thank you, we have noted that you will come."))
            return redirect("portal:home", token=request.portal_token)
    return render(
        request,
        "treatments/portal/confirm.html",
        _base(
            request,
            appointment=appointment,
            error=error,
            upcoming=appointment_is_upcoming(appointment=appointment, now=now),
        ),
        status=400 if error else 200,
    )


@portal_view
@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, *, now, appointment_id: int) -> HttpResponse:
    appointment = _appointment_or_404(request, appointment_id)
    clinic = ClinicSettings.load()
    allowed = cancel_allowed_online(appointment=appointment, now=now, clinic=clinic)
    form = CancelForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
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
                _audit(request, AuditEntry.Action.CHANGE, obj=appointment)
                messages.success(request, done)
                return redirect("portal:home", token=request.portal_token)
        else:
            status = 400
    return render(
        request,
        "treatments/portal/cancel.html",
        _base(
            request,
            appointment=appointment,
            form=form,
            allowed=allowed,
            upcoming=appointment_is_upcoming(appointment=appointment, now=now),
            clinic=clinic,
        ),
        status=status,
    )


@portal_view
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, *, now) -> HttpResponse:
    form = CheckInForm(request.POST if request.method == "POST" else None)
    clinic = ClinicSettings.load()
    if request.method == "POST":
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
                _audit(request, AuditEntry.Action.CREATE, obj=record)
                return render(
                    request,
                    "treatments/portal/checkin_done.html",
                    _base(request, checkin=record, flags=record.red_flag_labels, clinic=clinic, section="checkin"),
                )
        return render(
            request,
            "treatments/portal/checkin.html",
            _base(request, form=form, clinic=clinic, section="checkin"),
            status=400,
        )
    return render(
        request, "treatments/portal/checkin.html", _base(request, form=form, clinic=clinic, section="checkin")
    )


def _aftercare(request: HttpRequest, **extra) -> dict:
    """The guides are named by slug and shown by education's own template tag (`aftercare_guides`):
    the portal does not import the education app."""
    series = portal_series_for_aftercare(patient=request.portal_patient)
    return _base(
        request,
        guide_slugs=[s.protocol.aftercare_slug for s in series],
        conditions=[s.protocol.condition for s in series],
        clinic=ClinicSettings.load(),
        **extra,
    )


@portal_view
@require_GET
def aftercare(request: HttpRequest) -> HttpResponse:
    _audit(request, AuditEntry.Action.VIEW, object_type="portal.aftercare")
    return render(request, "treatments/portal/aftercare.html", _aftercare(request, section="aftercare"))


@portal_view
@require_GET
def aftercare_print(request: HttpRequest) -> HttpResponse:
    _audit(request, AuditEntry.Action.VIEW, object_type="portal.aftercare")
    back_url = reverse("portal:aftercare", kwargs={"token": request.portal_token})
    return render(request, "treatments/portal/aftercare_print.html", _aftercare(request, back_url=back_url))
