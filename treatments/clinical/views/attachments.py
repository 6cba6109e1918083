"""A patient's clinical documents: the list with an upload form, and the download. Clinicians
only; every list and download is audited; files are never reachable by a static URL."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clinic.audit import audit_record
from clinic.roles import AuthenticatedHttpRequest, clinical_required
from treatments.clinical.access import attachment_for, patient_for_clinical
from treatments.clinical.forms import AttachmentForm
from treatments.clinical.services.attachments import AttachmentError, attachment_add, attachment_path, max_bytes
from treatments.models import Attachment, SessionRecord


def _records(patient):
    return list(
        SessionRecord.objects.filter(appointment__patient=patient)
        .select_related("appointment__appointment_type")
        .order_by("-appointment__start")
    )


@clinical_required
@require_http_methods(["GET", "POST"])
def patient_attachments(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = patient_for_clinical(request.user, pk)
    records = _records(patient)
    form = AttachmentForm(records=records)
    error = ""
    if request.method == "POST":
        form = AttachmentForm(request.POST, request.FILES, records=records)
        if form.is_valid():
            try:
                attachment = attachment_add(
                    patient=patient,
                    record=form.cleaned_data["record"],
                    upload=form.cleaned_data["file"],
                    kind=form.cleaned_data["kind"],
                    user=request.user,
                    now=timezone.now(),
                )
                audit_record(request=request, action="create", obj=attachment, patient_id=patient.pk)
                messages.success(request, _("“%(title)s” is attached.") % {"title": attachment.title})
                return redirect("practice:attachments", pk=patient.pk)
            except AttachmentError as exc:
                error = str(exc)
        else:
            error = _("Nothing was stored: correct the fields marked below.")
    audit_record(request=request, action="view", object_type="treatments.attachment", patient_id=patient.pk)
    attachments = Attachment.objects.filter(patient=patient).select_related("record__appointment", "uploaded_by")
    context = {
        "patient": patient,
        "attachments": attachments,
        "form": form,
        "error": error,
        "max_mb": max_bytes() // (1024 * 1024),
    }
    return render(request, "treatments/attachments.html", context, status=400 if error else 200)


@clinical_required
@require_GET
def download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = attachment_for(request.user, pk)
    try:
        handle = attachment_path(attachment).open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit_record(request=request, action="view", obj=attachment, patient_id=attachment.patient_id)
    # Always a download, never shown inline: a PDF or image from outside runs in no page of ours.
    response = FileResponse(handle, as_attachment=True, filename=attachment.title, content_type=attachment.content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
