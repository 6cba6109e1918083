"""The desk's message log (what went out, to whom, when; resend for failures) and the patient's
one-click unsubscribe."""

from django.conf import settings
from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from clinic.audit import audit_record
from clinic.models import AuditEntry
from clinic.roles import desk_required, public
from patients.access import patient_for
from patients.models import Channel, Patient

from .access import message_for
from .forms import MessageFilterForm
from .links import unsubscribe_read
from .selectors import message_log
from .services import channel_unsubscribe, message_resend

PAGE_SIZE = 50


def _log_page(request: HttpRequest, *, patient: Patient | None) -> HttpResponse:
    form = MessageFilterForm(request.GET or None)
    page = None
    if form.is_bound and not form.is_valid():
        flash_error = _("Please correct the filter below.")
    else:
        flash_error = ""
        filters = form.cleaned_data if form.is_bound else {}
        rows = message_log(
            status=filters.get("status", ""),
            kind=filters.get("kind", ""),
            day_from=filters.get("day_from"),
            day_to=filters.get("day_to"),
            patient_id=patient.pk if patient else None,
        )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "notifications/log.html",
        {
            "form": form,
            "page": page,
            "patient": patient,
            "filter_error": flash_error,
            "query": query.urlencode(),
        },
        status=400 if flash_error else 200,
    )


@desk_required
def message_list(request: HttpRequest) -> HttpResponse:
    if "patient" in request.GET:
        return redirect("notifications:patient_log", patient_id=patient_for(request.user, request.GET["patient"]).pk)
    return _log_page(request, patient=None)


@desk_required
def patient_messages(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for(request.user, patient_id)
    audit_record(request=request, action=AuditEntry.Action.VIEW, object_type="notifications.log", patient_id=patient.pk)
    return _log_page(request, patient=patient)


@desk_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = message_for(request.user, pk)
    audit_record(request=request, action=AuditEntry.Action.VIEW, obj=message, patient_id=message.patient_id)
    return render(request, "notifications/detail.html", {"message": message})


@desk_required
@require_POST
def message_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    message = message_for(request.user, pk)
    if message_resend(message_id=message.pk, now=timezone.now()):
        audit_record(request=request, action=AuditEntry.Action.CHANGE, obj=message, patient_id=message.patient_id)
        flash.success(request, _("The message is queued again and goes out within a minute."))
    else:
        flash.error(
            request,
            _("Only a failed message can be sent again; this one is %(status)s.")
            % {"status": message.get_status_display().lower()},
        )
    return redirect("notifications:detail", pk=message.pk)


@public
@csrf_exempt  # the signed token is the credential; mail clients POST here without a session (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link at the foot of a message: GET asks, POST (the page's button, or a mail client's
    one-click List-Unsubscribe-Post) stops the channel. A link past its life says how else to stop."""
    found = unsubscribe_read(token, now=timezone.now())
    if found is None or found.channel not in Channel.values:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    if found.expired:
        return render(
            request,
            "notifications/unsubscribe.html",
            {"expired": True, "unsubscribe_link_days": settings.UNSUBSCRIBE_LINK_DAYS},
            status=410,
        )
    patient_id, channel = found.patient_id, found.channel
    if not Patient.objects.filter(pk=patient_id).exists():
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    label = Channel(channel).label
    if request.method == "POST":
        channel_unsubscribe(patient_id=patient_id, channel=channel)
        audit_record(
            request=None,
            action=AuditEntry.Action.CHANGE,
            object_type="patients.consent",
            patient_id=patient_id,
            via="portal",
        )
        return render(request, "notifications/unsubscribe.html", {"done": True, "channel": label})
    return render(request, "notifications/unsubscribe.html", {"channel": label})
