"""The desk's series pages: the patient page, "Book a series", a series with its sessions and
history, adding a session and discontinuing. Thin: parse with a form, call a service, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from clinic.audit import audit_record
from clinic.models import AuditEntry
from clinic.roles import desk_required
from patients.access import patient_for
from treatments.models import Side
from treatments.scheduling.access import series_for
from treatments.scheduling.forms.series import AddSessionForm, DiscontinueForm, SeriesPlanForm, prefill, session_forms
from treatments.scheduling.selectors.proposals import next_session_prefill, series_check, series_propose
from treatments.scheduling.selectors.series import patient_overview, positive_flags, series_page
from treatments.scheduling.services.booking import BookingError, series_add_session, series_book, series_discontinue


@desk_required
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_for(request.user, pk)
    overview = patient_overview(patient, now=timezone.now())
    audit_record(request=request, action=AuditEntry.Action.VIEW, obj=patient, patient_id=patient.pk)
    return render(request, "treatments/patient_detail.html", {"patient": patient, "overview": overview})


def _plan(form: SeriesPlanForm, patient, posted, action: str, now: dt.datetime):
    """Proposals and the session rows to show: planned afresh, or the desk's edits re-checked."""
    data = form.cleaned_data
    where = {
        "protocol": data["protocol"],
        "practitioner": data["practitioner"],
        "location": data["location"],
        "patient": patient,
        "room": data.get("room"),
        "now": now,
    }
    count = data["sessions"]
    if action == "plan":
        proposals = series_propose(count=count, first=form.first_start(), **where)
        return proposals, session_forms(None, count, [p.start for p in proposals]), None
    rows = session_forms(posted, count)
    if not all(r.is_valid() for r in rows):
        return [None] * count, rows, None
    starts = [r.start() for r in rows]
    return series_check(starts=starts, **where), rows, starts


@desk_required
def series_new(request: HttpRequest) -> HttpResponse:
    patient = patient_for(request.user, request.POST.get("patient") or request.GET.get("patient"))
    now = timezone.now()
    ctx: dict[str, object] = {"patient": patient, "rows": None, "error": None, "flags": positive_flags(patient)}
    if request.method != "POST":
        # The calendar links here with a slot: ?practitioner=&location=&date=&time= prefill the form.
        ctx["form"] = SeriesPlanForm(initial={"side": Side.RIGHT, **prefill(request.GET)})
        return render(request, "treatments/series_new.html", ctx)
    form = SeriesPlanForm(request.POST)
    ctx["form"] = form
    if not form.is_valid():
        return render(request, "treatments/series_new.html", ctx, status=400)
    action = request.POST.get("action", "plan")
    proposals, rows, starts = _plan(
        form, patient, request.POST, action if action in ("check", "confirm") else "plan", now
    )
    if action == "confirm" and starts is not None:
        data = form.cleaned_data
        try:
            series = series_book(
                patient=patient,
                protocol=data["protocol"],
                practitioner=data["practitioner"],
                location=data["location"],
                side=data["side"],
                starts=starts,
                by=request.user,
                now=now,
                room=data.get("room"),
            )
        except BookingError as exc:
            ctx["error"] = exc.message
        else:
            audit_record(request=request, action=AuditEntry.Action.CREATE, obj=series, patient_id=patient.pk)
            messages.success(
                request,
                ngettext("Booked %(n)d session.", "Booked all %(n)d sessions.", len(starts)) % {"n": len(starts)},
            )
            return redirect("desk:series", pk=series.pk)
    elif action == "confirm":
        ctx["error"] = _("Some dates or times are not valid; see the sessions below.")
    ctx["rows"] = list(zip(proposals, rows, strict=True))
    ctx["all_ok"] = all(p is not None and p.ok for p in proposals)
    status = 400 if ctx["error"] else 200
    return render(request, "treatments/series_new.html", ctx, status=status)


def _render_series(request: HttpRequest, series, *, status: int = 200, **forms) -> HttpResponse:
    page = series_page(series, now=timezone.now())
    ctx = {
        "series": series,
        "page": page,
        "add_form": forms.get("add_form")
        or AddSessionForm(initial=next_session_prefill(series, page.progress.sessions)),
        "discontinue_form": forms.get("discontinue_form") or DiscontinueForm(),
        "error": forms.get("error"),
    }
    return render(request, "treatments/series_detail.html", ctx, status=status)


@desk_required
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    series = series_for(request.user, pk)
    audit_record(request=request, action=AuditEntry.Action.VIEW, obj=series, patient_id=series.patient_id)
    return _render_series(request, series)


@desk_required
@require_POST
def series_add(request: HttpRequest, pk: int) -> HttpResponse:
    series = series_for(request.user, pk)
    form = AddSessionForm(request.POST)
    if form.is_valid():
        try:
            appointment = series_add_session(series=series, start=form.start(), by=request.user, now=timezone.now())
        except BookingError as exc:
            return _render_series(request, series, status=400, add_form=form, error=exc.message)
        audit_record(request=request, action=AuditEntry.Action.CREATE, obj=appointment, patient_id=series.patient_id)
        messages.success(request, _("Session %(step)d added.") % {"step": appointment.series_step})
        return redirect("desk:series", pk=series.pk)
    return _render_series(request, series, status=400, add_form=form, error=_("Check the date and time."))


@desk_required
@require_POST
def series_stop(request: HttpRequest, pk: int) -> HttpResponse:
    series = series_for(request.user, pk)
    form = DiscontinueForm(request.POST)
    if form.is_valid():
        try:
            series_discontinue(series=series, reason=form.cleaned_data["reason"], by=request.user, now=timezone.now())
        except BookingError as exc:
            return _render_series(request, series, status=400, discontinue_form=form, error=exc.message)
        audit_record(request=request, action=AuditEntry.Action.CHANGE, obj=series, patient_id=series.patient_id)
        messages.success(request, _("The series was discontinued; its future sessions are cancelled."))
        return redirect("desk:series", pk=series.pk)
    return _render_series(request, series, status=400, discontinue_form=form, error=_("Give a reason."))
