"""/desk/setup/: hours, breaks, time off and closures at the desk, for the clinic admin (and each
practitioner's own time off when the clinic allows). Every change shows the bookings it affects
before it is saved; a closure over bookings leads to them, each to be moved or cancelled."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import roles
from clinic.localtime import local_date
from clinic.models import Practitioner, WorkingHours
from clinic.roles import admin_required, role_required
from treatments.models import Appointment
from treatments.scheduling.access import appointment_for
from treatments.scheduling.availability import DatedBlock, WeeklyBlock
from treatments.scheduling.selectors.hours import hour_blocks
from treatments.setup.access import closure_for, dated_hours_for, practitioner_for_setup, time_off_owner
from treatments.setup.forms import ClosureForm, DatedHoursForm, WeekForm, blocks_text
from treatments.setup.selectors import (
    covered_bookings,
    covered_with_proposals,
    nearest_allowed,
    outside_hours_bookings,
    outside_new_week,
    upcoming_closures,
)
from treatments.setup.services import (
    SetupError,
    closure_add,
    closure_remove,
    covered_booking_cancel,
    covered_booking_move,
    dated_hours_add,
    dated_hours_remove,
    working_week_set,
)
from treatments.setup.views_settings import own_time_off_form

time_off_required = role_required(roles.CLINIC_ADMIN, roles.PRACTITIONER)


@admin_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    practitioners = list(Practitioner.objects.filter(active=True).prefetch_related("working_hours__location"))
    return render(
        request,
        "setup/index.html",
        {
            "practitioners": practitioners,
            "closures": upcoming_closures(practitioner=None, now=now),
            "form": ClosureForm(),
            "own_form": own_time_off_form(),
        },
    )


def _week_forms(practitioner: Practitioner, data=None, posted: int | None = None) -> list[WeekForm]:
    hours = list(practitioner.working_hours.select_related("location"))
    locations = sorted({h.location for h in hours}, key=lambda loc: loc.name)
    forms = []
    for location in locations:
        initial: dict[str, object] = {"location": location}
        for value, _label in WorkingHours.Weekday.choices:
            initial[f"day_{value}"] = blocks_text(
                [h for h in hours if h.location_id == location.pk and h.weekday == value]
            )
        bound = data if posted == location.pk else None
        forms.append(WeekForm(bound, initial=initial, prefix=f"loc{location.pk}"))
    # One more, to add a week at another location.
    new_bound = data if posted == 0 else None
    forms.append(WeekForm(new_bound, prefix="loc0"))
    return forms


@admin_required
@require_http_methods(["GET", "POST"])
def practitioner_hours(request: HttpRequest, pk: int) -> HttpResponse:
    """A practitioner's week per location; a POST shows the bookings the new week leaves outside
    the hours and saves only when confirmed."""
    practitioner = practitioner_for_setup(request.user, pk)
    now = timezone.now()
    posted = None
    if request.method == "POST":
        try:
            posted = int(request.POST.get("which", ""))
        except ValueError:
            posted = None
    forms = _week_forms(practitioner, request.POST if request.method == "POST" else None, posted)
    affected, changed_form = [], None
    if request.method == "POST":
        changed_form = next((f for f in forms if f.is_bound), None)
        if changed_form is None:
            messages.error(request, _("Nothing was sent to save."))
        elif changed_form.is_valid():
            data = changed_form.cleaned_data
            location = data["location"]
            blocks = data["blocks"]
            affected = outside_new_week(
                practitioner=practitioner,
                location=location,
                blocks=[WeeklyBlock(d, s, e) for d, s, e in blocks],
                now=now,
            )
            if not affected or request.POST.get("confirm") == "yes":
                try:
                    working_week_set(practitioner=practitioner, location=location, blocks=blocks)
                except SetupError as exc:
                    changed_form.add_error(None, exc.message)
                else:
                    text = _("%(who)s's week at %(place)s is saved.") % {
                        "who": practitioner.display_name,
                        "place": location.name,
                    }
                    messages.success(request, text + _left_outside(len(affected)))
                    return redirect("setup:practitioner", pk=practitioner.pk)
    context = {"forms": forms, "changed_form": changed_form, "affected": affected}
    status = 400 if changed_form is not None and changed_form.errors else 200
    return _practitioner_page(request, practitioner, now=now, status=status, **context)


def _left_outside(n: int) -> str:
    """What a saved change of the hours says of the bookings it left outside them ("" for none)."""
    if not n:
        return ""
    return " " + ngettext(
        "%(n)d booking now falls outside the hours: move it from the list below.",
        "%(n)d bookings now fall outside the hours: move them from the list below.",
        n,
    ) % {"n": n}


def _practitioner_page(
    request: HttpRequest, practitioner: Practitioner, *, now, status: int = 200, **context
) -> HttpResponse:
    # The bookings the hours leave outside (after a week change), each with its nearest allowed
    # time, to be moved or cancelled as a closure's are.
    hours = hour_blocks(practitioner_id=practitioner.pk, first=local_date(now))
    outside = [
        nearest_allowed(a, now=now) for a in outside_hours_bookings(practitioner=practitioner, now=now, hours=hours)
    ]
    context.setdefault("forms", _week_forms(practitioner))
    context.setdefault("dated_form", DatedHoursForm(prefix="extra"))
    context = {
        "practitioner": practitioner,
        "outside": outside,
        "dated_hours": [h for h in hours if h.date is not None],
        "closures": upcoming_closures(practitioner=practitioner, now=now),
        "closure_form": ClosureForm(initial={"practitioner": practitioner}),
        **context,
    }
    return render(request, "setup/practitioner.html", context, status=status)


@admin_required
@require_POST
def outside_booking(request: HttpRequest, pk: int) -> HttpResponse:
    """Move one booking the hours leave outside to its nearest allowed time, or cancel it (the
    patient is told), or do either to every such booking ("all")."""
    practitioner = practitioner_for_setup(request.user, pk)
    now = timezone.now()
    if request.POST.get("appointment") == "all":
        targets = outside_hours_bookings(practitioner=practitioner, now=now)
    else:
        targets = [appointment_for(request.user, request.POST.get("appointment", ""))]
        if targets[0].practitioner_id != practitioner.pk:
            raise Http404
    _handle_bookings(request, targets, request.POST.get("action", ""), now=now)
    return redirect(reverse("setup:practitioner", args=[practitioner.pk]) + "#outside")


def _when(date, start, end) -> str:
    return f"{date_format(date, 'D j M')} {start:%H:%M}–{end:%H:%M}"


@admin_required
@require_POST
def dated_hours_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Add extra working hours on one date (the page again, with the reason, when refused)."""
    practitioner = practitioner_for_setup(request.user, pk)
    now = timezone.now()
    form = DatedHoursForm(request.POST, prefix="extra")
    if form.is_valid():
        data = form.cleaned_data
        try:
            dated_hours_add(
                practitioner=practitioner,
                location=data["location"],
                date=data["date"],
                start=data["start"],
                end=data["end"],
                now=now,
            )
        except SetupError as exc:
            form.add_error(None, exc.message)
        else:
            when = _when(data["date"], data["start"], data["end"])
            messages.success(
                request,
                _("%(who)s works %(when)s at %(place)s too.")
                % {"who": practitioner.display_name, "when": when, "place": data["location"].name},
            )
            return redirect("setup:practitioner", pk=practitioner.pk)
    return _practitioner_page(request, practitioner, now=now, status=400, dated_form=form)


@admin_required
@require_POST
def dated_hours_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove extra hours on a date. Leaving bookings outside the hours: the first POST lists them
    (with the nearest allowed time of each) and removes nothing; the second, confirmed, removes."""
    dated = dated_hours_for(request.user, pk)
    now = timezone.now()
    practitioner = dated.practitioner
    affected = outside_new_week(practitioner=practitioner, location=dated.location, now=now, removing=dated)
    when = _when(dated.date, dated.start, dated.end)
    if affected and request.POST.get("confirm") != "yes":
        gone = [DatedBlock(dated.date, dated.start, dated.end)]
        preview = [nearest_allowed(a, now=now, less_hours=gone) for a in affected]
        return _practitioner_page(request, practitioner, now=now, removing=dated, removing_when=when, preview=preview)
    dated_hours_remove(dated=dated)
    text = _("The extra hours of %(when)s are removed.") % {"when": when}
    messages.success(request, text + _left_outside(len(affected)))
    return redirect("setup:practitioner", pk=practitioner.pk)


@time_off_required
@require_GET
def my_time_off(request: HttpRequest) -> HttpResponse:
    own = time_off_owner(request.user)
    if own is None:
        return redirect("setup:index")
    now = timezone.now()
    closures = [c for c in upcoming_closures(practitioner=own, now=now) if c.practitioner_id == own.pk]
    return render(request, "setup/my_time_off.html", {"own": own, "closures": closures, "form": ClosureForm(own=own)})


@time_off_required
@require_http_methods(["GET", "POST"])
def closure_new(request: HttpRequest) -> HttpResponse:
    """Add a closure or time off. Covering bookings: the first POST lists them (with where each
    could go) and saves nothing; the second, confirmed, saves and leads to them."""
    own = time_off_owner(request.user)
    now = timezone.now()
    # A time swept on the calendar arrives as ?practitioner=&first_day=&start_time=&end_time=.
    initial = {k: v for k, v in request.GET.items() if k in ("practitioner", "first_day", "start_time", "end_time")}
    form = ClosureForm(request.POST or None, own=own, initial=initial)
    covered = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        practitioner, location = data.get("practitioner"), data.get("location")
        covered = covered_with_proposals(
            practitioner=practitioner,
            location=location,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            now=now,
            unsaved=True,
        )
        if not covered or request.POST.get("confirm") == "yes":
            try:
                closure = closure_add(
                    practitioner=practitioner,
                    location=location,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    reason=data["reason"],
                    now=now,
                )
            except SetupError as exc:
                form.add_error(None, exc.message)
                covered = []
            else:
                if covered:
                    messages.warning(
                        request,
                        ngettext(
                            "Saved. It covers %(n)d booking: move or cancel it below.",
                            "Saved. It covers %(n)d bookings: move or cancel them below.",
                            len(covered),
                        )
                        % {"n": len(covered)},
                    )
                else:
                    messages.success(request, _("Saved. It covers no booking."))
                return redirect("setup:closure", pk=closure.pk)
    status = 400 if form.errors else 200
    return render(request, "setup/closure_new.html", {"form": form, "covered": covered, "own": own}, status=status)


@time_off_required
@require_GET
def closure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    closure = closure_for(request.user, pk)
    now = timezone.now()
    covered = covered_with_proposals(
        practitioner=closure.practitioner,
        location=closure.location,
        starts_at=closure.starts_at,
        ends_at=closure.ends_at,
        now=now,
        unsaved=False,
    )
    return render(request, "setup/closure.html", {"closure": closure, "covered": covered})


@time_off_required
@require_POST
def closure_booking(request: HttpRequest, pk: int) -> HttpResponse:
    """Move one covered booking to its nearest allowed time, or cancel it (the patient is told),
    or do either to every covered booking ("all")."""
    closure = closure_for(request.user, pk)
    now = timezone.now()
    action = request.POST.get("action", "")
    if action not in ("move", "cancel"):
        messages.error(request, _("Choose to move or to cancel."))
        return redirect("setup:closure", pk=closure.pk)
    if request.POST.get("appointment") == "all":
        targets = covered_bookings(
            practitioner_id=closure.practitioner_id,
            location_id=closure.location_id,
            starts_at=closure.starts_at,
            ends_at=closure.ends_at,
            now=now,
        )
    else:
        targets = [appointment_for(request.user, request.POST.get("appointment", ""))]
        if (own_only := time_off_owner(request.user)) and targets[0].practitioner_id != own_only.pk:
            messages.error(request, _("That booking is not yours."))
            return redirect("setup:closure", pk=closure.pk)
    _handle_bookings(request, targets, action, now=now)
    return redirect("setup:closure", pk=closure.pk)


def _handle_bookings(request: HttpRequest, targets: list[Appointment], action: str, *, now) -> None:
    """Move each booking to its nearest allowed time, or cancel it as the clinic (the patient is
    told either way); what was done and what was refused, as messages."""
    if action not in ("move", "cancel"):
        messages.error(request, _("Choose to move or to cancel."))
        return
    done, refused = 0, []
    for appointment in targets:
        try:
            if action == "move":
                covered_booking_move(appointment=appointment, by=request.user, now=now)
            else:
                covered_booking_cancel(appointment=appointment, by=request.user, now=now)
        except SetupError as exc:
            refused.append(f"{appointment.patient.full_name}: {exc.message}")
        else:
            done += 1
    if done:
        text = (
            ngettext("%(n)d booking moved; the patient is told.", "%(n)d bookings moved; the patients are told.", done)
            if action == "move"
            else ngettext(
                "%(n)d booking cancelled; the patient is told.",
                "%(n)d bookings cancelled; the patients are told.",
                done,
            )
        )
        messages.success(request, text % {"n": done})
    for line in refused:
        messages.error(request, line)


@time_off_required
@require_POST
def closure_delete(request: HttpRequest, pk: int) -> HttpResponse:
    closure = closure_for(request.user, pk)
    closure_remove(closure=closure)
    messages.success(request, _("“%(reason)s” is removed.") % {"reason": closure.reason})
    if time_off_owner(request.user) is not None:
        return redirect("setup:my_time_off")
    if closure.practitioner_id:
        return redirect("setup:practitioner", pk=closure.practitioner_id)
    return redirect("setup:index")
