"""The session record of one appointment: a draft form until signed, then a locked record with
its amendments."""

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from clinic.audit import audit_record
from clinic.roles import AuthenticatedHttpRequest, admin_required, clinical_required
from patients.selectors import screening_flags
from patients.selectors_intake import intake_status
from treatments.clinical.access import appointment_for_record
from treatments.clinical.fields import amendment_trail, person_name, record_facts
from treatments.clinical.forms import (
    SITE_SUGGESTIONS,
    AmendForm,
    HandOverForm,
    RecordForm,
    event_formset,
    record_data,
    record_initial,
    site_formset,
    site_initial,
)
from treatments.clinical.forms_visits import VisitForm, visit_initial
from treatments.clinical.selectors.checkins import checkins_since_last_session
from treatments.clinical.selectors.records import (
    recheck_answers,
    record_detail,
    record_for_appointment,
    series_step_label,
)
from treatments.clinical.services.amendments import record_amend
from treatments.clinical.services.handover import record_hand_over
from treatments.clinical.services.records import (
    RecordError,
    check_recordable,
    previous_signed_record,
    record_submit,
    record_writer,
    sign_refusal,
    write_refusal,
)
from treatments.clinical.services.visits import record_kind
from treatments.models import Appointment, SessionRecord


def _context(appointment: Appointment, record: SessionRecord, *, user: User, **extra) -> dict:
    condition = appointment.series.protocol.condition if appointment.series is not None else ""
    suggestions = SITE_SUGGESTIONS.get(condition, [])
    sites = list(record.sites.all()) if record.pk else []
    return {
        "appointment": appointment,
        "patient": appointment.patient,
        "record": record,
        "step_label": series_step_label(appointment),
        "flags": screening_flags([appointment.patient_id]).get(appointment.patient_id, []),
        "intake": intake_status(patient_id=appointment.patient_id),
        "checkins": checkins_since_last_session(appointment),
        "regions": sorted({r for r, _ in suggestions}),
        "structures": [s for _, s in suggestions],
        "total_volume": sum((s.volume_ml for s in sites), 0),
        "facts": record_facts(record) if record.pk else [],
        "trail": amendment_trail(record) if record.pk else [],
        "signer": person_name(record.signed_by) if record.signed_by_id else "",
        # The admin (or a colleague) reads: no save, sign or amend, and the reason says who writes.
        "write_refusal": write_refusal(appointment=appointment, record=record if record.pk else None, user=user),
        "hand_over_form": extra.pop("hand_over_form", None)
        or HandOverForm(writer=record_writer(appointment=appointment, record=record if record.pk else None)),
        **extra,
    }


def _draft_forms(record: SessionRecord, appointment: Appointment, data=None):
    if data is not None:
        return (
            RecordForm(data),
            site_formset()(data, prefix="sites"),
            event_formset()(data, prefix="events"),
        )
    sites = site_initial(record) if record.pk else []
    events = [{"kind": e.kind, "notes": e.notes} for e in record.adverse_events.all()] if record.pk else []
    return (
        RecordForm(initial=record_initial(record, recheck_answers(appointment))),
        site_formset(extra=0 if sites else 2)(initial=sites, prefix="sites"),
        event_formset(extra=0 if events else 1)(initial=events, prefix="events"),
    )


@clinical_required
@require_http_methods(["GET", "POST"])
def record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appointment = appointment_for_record(request.user, pk)
    now = timezone.now()
    existing = record_for_appointment(appointment)
    if existing is None:
        try:
            check_recordable(appointment)
        except RecordError as exc:
            return render(
                request,
                "treatments/record_blocked.html",
                {"appointment": appointment, "reason": str(exc)},
                status=400 if request.method == "POST" else 200,
            )
        # Not saved: the first "Save draft" creates the record (a GET never writes).
        current = SessionRecord(appointment=appointment, kind=record_kind(appointment.appointment_type))
    else:
        current = record_detail(existing.pk)
    if current.status == SessionRecord.Status.SIGNED:
        if request.method == "POST":
            messages.error(request, _("This record is signed and locked. Add an amendment to correct it."))
            return redirect("practice:record", pk=appointment.pk)
        audit_record(request=request, action="view", obj=current, patient_id=appointment.patient_id)
        context = _context(appointment, current, user=request.user, amend_form=AmendForm(record=current))
        return render(request, "treatments/record_signed.html", context)
    if current.kind != SessionRecord.Kind.INJECTION:
        return _visit(request, appointment, current)

    if request.method == "GET":
        # The page shows clinical facts (screening flags) even before a record exists.
        seen = current if current.pk else appointment
        audit_record(request=request, action="view", obj=seen, patient_id=appointment.patient_id)
        return _draft_page(request, appointment, current, *_draft_forms(current, appointment))

    form, sites, events = _draft_forms(current, appointment, data=request.POST)
    action = request.POST.get("action", "save")
    error = ""
    if not (form.is_valid() and sites.is_valid() and events.is_valid()):
        error = _("Nothing was saved: correct the fields marked below.")
    else:
        data = record_data(form, sites, events)
        try:
            copied = record_submit(appointment=appointment, data=data, action=action, user=request.user, now=now)
            saved = record_for_appointment(appointment)
            audit_record(
                request=request,
                action="sign" if action == "sign" else "change",
                obj=saved,
                patient_id=appointment.patient_id,
            )
            if action == "sign":
                messages.success(request, _("The record is signed and the appointment completed."))
            elif action == "copy":
                messages.success(
                    request,
                    ngettext(
                        "%(n)s site copied from the last session.", "%(n)s sites copied from the last session.", copied
                    )
                    % {"n": copied},
                )
            else:
                messages.success(request, _("The draft is saved."))
            return redirect("practice:record", pk=appointment.pk)
        except RecordError as exc:
            error = str(exc)
    return _draft_page(request, appointment, current, form, sites, events, error=error)


def _visit(request: AuthenticatedHttpRequest, appointment: Appointment, current: SessionRecord) -> HttpResponse:
    """The draft of a consultation or follow-up note: one form, no sites."""
    now = timezone.now()
    if request.method == "GET":
        seen = current if current.pk else appointment
        audit_record(request=request, action="view", obj=seen, patient_id=appointment.patient_id)
        form = VisitForm(initial=visit_initial(current), kind=current.kind)
        return _visit_page(request, appointment, current, form)
    form = VisitForm(request.POST, kind=current.kind)
    action = "sign" if request.POST.get("action") == "sign" else "save"
    if not form.is_valid():
        return _visit_page(
            request, appointment, current, form, _("Nothing was saved: correct the fields marked below.")
        )
    try:
        record_submit(appointment=appointment, data=form.to_data(), action=action, user=request.user, now=now)
    except RecordError as exc:
        return _visit_page(request, appointment, current, form, str(exc))
    saved = record_for_appointment(appointment)
    audit_record(
        request=request, action=action if action == "sign" else "change", obj=saved, patient_id=appointment.patient_id
    )
    if action == "sign":
        messages.success(request, _("The note is signed and the appointment completed."))
    else:
        messages.success(request, _("The draft is saved."))
    return redirect("practice:record", pk=appointment.pk)


def _visit_page(request, appointment, record, form, error: str = "") -> HttpResponse:
    context = _context(
        appointment,
        record,
        user=request.user,
        form=form,
        error=error,
        sign_refusal=sign_refusal(appointment=appointment, user=request.user, now=timezone.now()),
    )
    return render(request, "treatments/record_visit.html", context, status=400 if error else 200)


def _draft_page(request, appointment, record, form, sites, events, *, error: str = "") -> HttpResponse:
    """The draft's form: as stored on GET, as typed (with what went wrong) after a refused POST."""
    context = _context(
        appointment,
        record,
        user=request.user,
        form=form,
        sites=sites,
        events=events,
        error=error,
        can_copy=previous_signed_record(record) is not None,
        sign_refusal=sign_refusal(appointment=appointment, user=request.user, now=timezone.now()),
    )
    return render(request, "treatments/record_form.html", context, status=400 if error else 200)


@clinical_required
@require_POST
def amend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appointment = appointment_for_record(request.user, pk)
    current = SessionRecord.objects.filter(appointment=appointment).first()
    if current is None or current.status != SessionRecord.Status.SIGNED:
        messages.error(request, _("Only a signed record is amended; edit the draft directly."))
        return redirect("practice:record", pk=appointment.pk)
    form = AmendForm(request.POST, record=current)
    error = ""
    if form.is_valid():
        try:
            record_amend(
                record=current,
                changes=form.cleaned_data["changes"],
                site_changes=form.cleaned_data["site_changes"],
                event_changes=form.cleaned_data["event_changes"],
                reason=form.cleaned_data["reason"],
                user=request.user,
                now=timezone.now(),
            )
            audit_record(request=request, action="change", obj=current, patient_id=appointment.patient_id)
            messages.success(request, _("The amendment is added to the record."))
            return redirect("practice:record", pk=appointment.pk)
        except RecordError as exc:
            error = str(exc)
    else:
        error = _("Nothing was changed: correct the fields marked below.")
    current = record_detail(current.pk)
    return render(
        request,
        "treatments/record_signed.html",
        _context(appointment, current, user=request.user, amend_form=form, error=error),
        status=400,
    )


@admin_required
@require_POST
def hand_over(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The clinic admin gives the record to another practitioner; the record's history says so."""
    appointment = appointment_for_record(request.user, pk)
    form = HandOverForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            record = record_hand_over(
                appointment=appointment,
                practitioner=form.cleaned_data["practitioner"],
                reason=form.cleaned_data["reason"],
                user=request.user,
                now=timezone.now(),
            )
        except RecordError as exc:
            error = str(exc)
        else:
            audit_record(request=request, action="change", obj=record, patient_id=appointment.patient_id)
            messages.success(
                request,
                _("The record is handed over to %(who)s.") % {"who": form.cleaned_data["practitioner"].display_name},
            )
            return redirect("practice:record", pk=appointment.pk)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    context = {"appointment": appointment, "patient": appointment.patient, "hand_over_form": form, "error": error}
    return render(request, "treatments/record_hand_over_page.html", context, status=400)
