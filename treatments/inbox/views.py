"""The desk's inbox at /desk/requests/: red-flag check-ins to call back first, then consultation
and move requests. Lives in treatments because the alerts are treatments.PainCheckIn rows, and
patients may not import treatments."""

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinic.audit import audit_record
from clinic.models import AuditEntry
from clinic.roles import AuthenticatedHttpRequest, desk_required
from patients.forms_consult import SELF_CHECK_QUESTIONS, ConsultationStatusForm
from patients.services_consult import consultation_request_mark
from treatments.inbox.access import alert_for, consultation_request_for, series_request_for
from treatments.inbox.selectors import inbox_alerts, inbox_checkins, inbox_requests, inbox_series_requests
from treatments.inbox.services import checkin_acknowledge, series_request_resolve

FILTERS = ["new", "contacted", "closed", "all"]
# Check-ins without a warning sign stay on the page this long: enough to read them, then they go.
CHECKINS_SHOWN = dt.timedelta(days=14)


@desk_required
def inbox(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "new")
    if show not in FILTERS:
        show = "new"
    alerts = inbox_alerts()
    checkins = inbox_checkins(since=timezone.now() - CHECKINS_SHOWN)
    to_book = inbox_series_requests()
    requests_ = inbox_requests(status=None if show == "all" else show)
    # Alerts and move requests show a patient's data: each is a view in the audit trail.
    for alert in [*alerts, *checkins]:
        audit_record(request=request, action=AuditEntry.Action.VIEW, obj=alert, patient_id=alert.patient_id)
    for series_request in to_book:
        audit_record(
            request=request, action=AuditEntry.Action.VIEW, obj=series_request, patient_id=series_request.patient_id
        )
    for item in requests_:
        if item.patient_id:
            audit_record(request=request, action=AuditEntry.Action.VIEW, obj=item, patient_id=item.patient_id)
    questions = dict(SELF_CHECK_QUESTIONS)
    for item in requests_:
        yes_answers = [questions[k] for k, v in (item.self_check or {}).items() if v and k in questions]
        # A display attribute the template reads, set on the row only: the model's type has no such field.
        item.yes_answers = yes_answers  # type: ignore[attr-defined]
    return render(
        request,
        "treatments/inbox.html",
        {
            "alerts": alerts,
            "checkins": checkins,
            "to_book": to_book,
            "requests": requests_,
            "show": show,
            "filters": FILTERS,
        },
    )


@desk_required
@require_POST
def request_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = consultation_request_for(request.user, pk)
    form = ConsultationStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose contacted or closed."))
        return redirect("inbox:index")
    consultation_request_mark(request_obj=item, status=form.cleaned_data["status"], by=request.user, now=timezone.now())
    if item.patient_id:
        audit_record(request=request, action=AuditEntry.Action.CHANGE, obj=item, patient_id=item.patient_id)
    messages.success(
        request, _("%(name)s is now marked “%(status)s”.") % {"name": item.name, "status": item.get_status_display()}
    )
    return redirect("inbox:index")


@desk_required
@require_POST
def alert_acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    alert = alert_for(request.user, pk)
    if checkin_acknowledge(checkin=alert, by=request.user, now=timezone.now()):
        audit_record(request=request, action=AuditEntry.Action.CHANGE, obj=alert, patient_id=alert.patient_id)
        messages.success(request, _("Alert marked as handled."))
    else:
        messages.info(request, _("Someone already handled this alert."))
    return redirect("inbox:index")


@desk_required
@require_POST
def series_request_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = series_request_for(request.user, pk)
    if series_request_resolve(series_request=item, by=request.user, now=timezone.now()):
        audit_record(request=request, action=AuditEntry.Action.CHANGE, obj=item, patient_id=item.patient_id)
        messages.success(
            request, _("The request to book %(name)s's series is closed.") % {"name": item.patient.full_name}
        )
    else:
        messages.info(request, _("Someone else had already closed this request."))
    return redirect("inbox:index")
