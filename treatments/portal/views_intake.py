"""Before the first visit: the intake form, then the consent-to-treatment text signed by typing
one's name. Both through the link like every portal page; nothing is saved unless all is right."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic.client_address import client_ip
from clinic.models import AuditEntry, ClinicSettings
from patients.selectors_intake import consent_text_current, intake_status
from patients.services_intake import IntakeError, consent_sign
from treatments.portal.access import PortalHttpRequest, change_rate_limited, portal_audit, portal_context, portal_view
from treatments.portal.forms_intake import ConsentForm, IntakeForm, intake_initial
from treatments.portal.services_intake import portal_intake_submit


@portal_view
@require_http_methods(["GET", "POST"])
def intake(request: PortalHttpRequest, *, now) -> HttpResponse:
    status = intake_status(patient_id=request.portal_patient.pk)
    if request.method == "GET":
        portal_audit(request, AuditEntry.Action.VIEW, object_type="patients.intake")
        form = IntakeForm(initial=intake_initial(status.intake), asks_pregnancy=_asks_pregnancy())
        return _intake_page(request, form, status)
    limited = change_rate_limited(request)
    if limited:
        return limited
    form = IntakeForm(request.POST, asks_pregnancy=_asks_pregnancy())
    if form.is_valid():
        try:
            saved = portal_intake_submit(patient=request.portal_patient, data=form.to_data(), now=now)
        except IntakeError as exc:
            form.add_error(None, str(exc))
        else:
            portal_audit(request, AuditEntry.Action.CREATE, obj=saved)
            messages.success(request, _("Thank you. Your form has reached the clinic."))
            if status.signature is None or status.signature.consent_text_id != _current_id():
                return redirect("portal:consent", token=request.portal_token)
            return redirect("portal:home", token=request.portal_token)
    return _intake_page(request, form, status, http_status=400)


def _asks_pregnancy() -> bool:
    return ClinicSettings.load().intake_asks_pregnancy


def _current_id() -> int | None:
    current = consent_text_current()
    return current.pk if current else None


def _intake_page(request, form, status, http_status: int = 200) -> HttpResponse:
    return render(
        request,
        "treatments/portal/intake.html",
        portal_context(request, form=form, status=status, section="intake"),
        status=http_status,
    )


@portal_view
@require_http_methods(["GET", "POST"])
def consent(request: PortalHttpRequest, *, now) -> HttpResponse:
    text = consent_text_current()
    status = intake_status(patient_id=request.portal_patient.pk)
    signed_current = status.signature is not None and text is not None and status.signature.consent_text_id == text.pk
    if request.method == "GET":
        portal_audit(request, AuditEntry.Action.VIEW, object_type="patients.consenttext")
        form = ConsentForm(initial={"version": text.version if text else 0})
        return _consent_page(request, form, text, status, signed_current)
    limited = change_rate_limited(request)
    if limited:
        return limited
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            signature = consent_sign(
                patient=request.portal_patient,
                version=form.cleaned_data["version"],
                typed_name=form.cleaned_data["typed_name"],
                agreed=form.cleaned_data["agreed"],
                ip=client_ip(request),
                now=now,
            )
        except IntakeError as exc:
            form.add_error(None, str(exc))
        else:
            portal_audit(request, AuditEntry.Action.SIGN, obj=signature)
            messages.success(request, _("Thank you. You have signed the consent, and the clinic can see it."))
            return redirect("portal:home", token=request.portal_token)
    return _consent_page(request, form, text, status, signed_current, http_status=400)


def _consent_page(request, form, text, status, signed_current: bool, http_status: int = 200) -> HttpResponse:
    return render(
        request,
        "treatments/portal/consent.html",
        portal_context(request, form=form, text=text, status=status, signed_current=signed_current, section="intake"),
        status=http_status,
    )
