"""The desk's patient pages: search, register (with a possible-duplicate check), edit."""

import html

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic.audit import audit_record
from clinic.layout_frame import framed_response
from clinic.localtime import local_date
from clinic.models import AuditEntry
from clinic.roles import AuthenticatedHttpRequest, desk_required
from clinic.url_halves import url_halves

from .access import patient_for
from .forms import PatientForm, PatientSearchForm
from .models import Patient
from .phones import phone_display
from .selectors import SearchRow, patient_possible_duplicates, patient_search_rows, screening_answers, search_kind
from .services import patient_register, patient_update
from .tokens import portal_tokens_revoke


@desk_required
def search(request: HttpRequest) -> HttpResponse:
    form = PatientSearchForm(request.GET or None)
    results, notice = None, ""
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        query = form.cleaned_data["q"]
        kind, _value = search_kind(query)
        if kind == "invalid":
            notice = _(
                "Nothing to search for in “%(q)s”: type a name, an e-mail address, four or more digits of a "
                "phone number, or a date of birth (YYYY-MM-DD)."
            ) % {"q": query}
        else:
            results = patient_search_rows(query)
    context = {
        "search_box": _search_box_html(form),
        "results": results,
        "rows_html": _rows_html(results) if results else "",
        "notice": notice,
    }
    # The page's own part, then the layout around it, kept per what it shows of the request.
    return framed_response(request, "patients/search.html", render_to_string("patients/search_content.html", context))


def _search_box_html(form: PatientSearchForm) -> SafeString:
    """The search box as crispy-forms' Bootstrap 5 field drew it (label, box, its error, its help),
    built here: the desk opens this page all day, and the form layout engine cost more than the rest
    of the page's template. The value is shown as typed, escaped."""
    field = form["q"]
    value = form.data.get("q", "") if form.is_bound else ""
    errors = form.errors.get("q") if form.is_bound else None
    help_id = f"{field.id_for_label}_helptext"
    invalid, described, error_html = "", help_id, ""
    if errors:
        invalid, described = ' is-invalid" aria-invalid="true', f"{help_id} {field.id_for_label}_error"
        error_html = (
            f'<div id="{field.id_for_label}_error" class="invalid-feedback">'
            + "".join(
                f'<p id="error_{n}_{field.id_for_label}"><strong>{escape(message)}</strong></p>'
                for n, message in enumerate(errors, start=1)
            )
            + "</div> "
        )
    value_html = f' value="{escape(value)}"' if value else ""
    maxlength = field.field.widget.attrs["maxlength"]
    html = (
        f'<div id="div_{field.id_for_label}" class="mb-3"><label for="{field.id_for_label}" class="form-label">'
        f"{escape(field.label)}</label> "
        f'<input type="search" name="q"{value_html} data-search-box="" maxlength="{maxlength}" '
        f'class="textinput form-control{invalid}" aria-describedby="{described}" id="{field.id_for_label}"> '
        f'{error_html}<div id="{help_id}" class="form-text">{escape(field.help_text)}</div></div>'
    )
    return mark_safe(html)  # every value escaped above


def _rows_html(patients: list[SearchRow]) -> SafeString:
    """The results table's rows, built here with each value escaped once: a common last name fills
    the page (50 rows), and the template language spent more on them (a lookup and an escape per
    variable) than the search itself. Each URL is reversed once per page, not twice a row."""
    before, after = url_halves("desk:patient")
    before, after = escape(before), escape(after)
    waitlist = escape(reverse("desk:waitlist_add") + "?patient=")
    add = escape(_("Add to waitlist"))
    text = html.escape  # the database's plain strings: no lazy-string check per value (escape's)
    rows = [
        f'<tr>\n  <td><a href="{before}{p.pk}{after}">{text(p.last_name)}, {text(p.first_name)}</a></td>\n'
        f"  <td>{p.date_of_birth.isoformat() if p.date_of_birth else ''}</td>\n"
        f"  <td>{text(phone_display(p.phone or ''))}</td>\n"
        f"  <td>{text(p.email)}</td>\n"
        f'  <td class="text-end"><a class="btn btn-sm btn-outline-secondary" href="{waitlist}{p.pk}">{add}</a></td>\n'
        "</tr>\n"
        for p in patients
    ]
    return mark_safe("".join(rows))  # every value escaped above


def _today():
    return local_date(timezone.now())


@desk_required
@require_http_methods(["GET", "POST"])
def register(request: AuthenticatedHttpRequest) -> HttpResponse:
    duplicates = []
    if request.method == "POST":
        confirming = "confirm_not_duplicate" in request.POST
        form = PatientForm(request.POST, today=_today(), show_duplicate_confirm=confirming)
        if form.is_valid():
            data = form.to_data()
            duplicates = patient_possible_duplicates(
                first_name=data.first_name,
                last_name=data.last_name,
                date_of_birth=data.date_of_birth,
                phone=data.phone,
                email=data.email,
            )
            if duplicates and not form.cleaned_data.get("confirm_not_duplicate"):
                # Nothing is saved: the desk looks at the matches first, then confirms.
                form = PatientForm(request.POST, today=_today(), show_duplicate_confirm=True)
                form.is_valid()
            else:
                patient = patient_register(data=data, by=request.user, now=timezone.now())
                audit_record(request=request, action=AuditEntry.Action.CREATE, obj=patient, patient_id=patient.pk)
                messages.success(request, _("%(name)s is registered.") % {"name": patient.full_name})
                return redirect("desk:patient", pk=patient.pk)
    else:
        form = PatientForm(today=_today())
    return render(
        request,
        "patients/form.html",
        {"form": form, "duplicates": duplicates, "title": _("Register a patient"), "patient": None},
    )


@desk_required
@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = patient_for(request.user, pk)
    duplicates: list[Patient] = []
    if request.method == "POST":
        form = PatientForm(request.POST, today=_today())
        if form.is_valid():
            patient = patient_update(patient=patient, data=form.to_data(), by=request.user, now=timezone.now())
            audit_record(request=request, action=AuditEntry.Action.CHANGE, obj=patient, patient_id=patient.pk)
            messages.success(request, _("%(name)s is saved.") % {"name": patient.full_name})
            return redirect("desk:patient", pk=patient.pk)
    else:
        initial = PatientForm.initial_for(patient, screening_answers(patient_id=patient.pk))
        form = PatientForm(initial=initial, today=_today())
        audit_record(request=request, action=AuditEntry.Action.VIEW, obj=patient, patient_id=patient.pk)
    return render(
        request,
        "patients/form.html",
        {
            "form": form,
            "duplicates": duplicates,
            "title": _("Edit %(name)s") % {"name": patient.full_name},
            "patient": patient,
        },
    )


@desk_required
@require_http_methods(["GET", "POST"])
def portal_link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """The desk ends the patient's portal link at once (a lost phone, a shared e-mail): the old
    link 404s from now on, and the next message the patient gets carries a new one. GET is the
    confirmation page (a page, not an inline confirm(): the CSP refuses inline script)."""
    patient = patient_for(request.user, pk)
    if request.method == "GET":
        title = _("Revoke %(name)s’s portal link?") % {"name": patient.full_name}
        return render(request, "patients/portal_link_revoke.html", {"patient": patient, "title": title})
    revoked = portal_tokens_revoke(patient=patient, now=timezone.now())
    audit_record(request=request, action=AuditEntry.Action.CHANGE, obj=patient, patient_id=patient.pk)
    if revoked:
        messages.success(request, _("The portal link is revoked. The next message will carry a new one."))
    else:
        messages.info(request, _("This patient had no live portal link."))
    return redirect("desk:patient", pk=patient.pk)
