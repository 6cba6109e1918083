"""/book/: pick a free time, say who you are, confirm with the code. The browser's session carries
the held booking's id, never the URL, so nobody can open or confirm someone else's hold
(session.py). What follows the code (the deposit, the card step, the confirmation):
views_payment.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from clinic.audit import client_ip
from clinic.localtime import local_date
from clinic.models import ClinicSettings
from clinic.roles import public
from patients.ratelimit import ratelimit_count, ratelimit_hit
from treatments.booking.forms import ANYONE, CodeForm, DetailsForm, SearchForm
from treatments.booking.selectors import (
    online_locations,
    online_practitioners,
    online_slots,
    online_start_problem,
    online_types,
    online_window,
)
from treatments.booking.services.confirm import CodeRefused, online_booking_confirm
from treatments.booking.services.holds import (
    HOLD_VALID,
    DayFull,
    online_code_resend,
    online_hold_create,
    online_hold_release,
    online_request_file,
)
from treatments.booking.session import SESSION_HOLD, booked_next, held
from treatments.models import OnlineBooking
from treatments.scheduling.services.booking import BookingError

log = logging.getLogger(__name__)

# Per client address and hour: holds (each sends a message) and code tries (guessing).
HOLDS_PER_HOUR = 10
CODES_PER_HOUR = 30
# Per contact (each phone number and each e-mail address typed) and hour: holds, whatever address
# they come from.
HOLDS_PER_CONTACT_HOUR = 3
HOUR = 3600


def _contact_ident(value: str) -> str:
    # The cache key never holds the number or address itself.
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def _contact_refusal(data: dict) -> str | None:
    """Count a hold against the phone and the e-mail typed; a sentence when either has had its share."""
    contacts = [_contact_ident(v) for v in (data.get("phone"), data.get("email")) if v]
    if any(ratelimit_count(scope="book_contact", ident=c) >= HOLDS_PER_CONTACT_HOUR for c in contacts):
        return _(
            "This phone number or e-mail address has held times several times in the last hour. "
            "Please try again in an hour, or call us."
        )
    for ident in contacts:
        ratelimit_hit(scope="book_contact", ident=ident, window_seconds=HOUR)
    return None


def _sms_code_refusal(phone: str) -> str | None:
    """Count one code text to `phone`; a sentence when that number, or the clinic as a whole, has
    had its hourly share (reaching the clinic's ceiling is logged as an error: the alert)."""
    ident = _contact_ident(phone)
    if ratelimit_count(scope="sms_code_to", ident=ident) >= settings.SMS_CODES_PER_NUMBER_HOUR:
        return _(
            "We have sent several codes to this number in the last hour. "
            "Please try again in an hour, or choose e-mail for your code."
        )
    if ratelimit_count(scope="sms_code_all", ident="all") >= settings.SMS_CODES_PER_HOUR:
        log.error(
            "ALERT: online booking code texts reached SMS_CODES_PER_HOUR (%s) this hour; refusing more",
            settings.SMS_CODES_PER_HOUR,
        )
        return _("We cannot send codes by text message right now. Please choose e-mail for your code, or call us.")
    ratelimit_hit(scope="sms_code_to", ident=ident, window_seconds=HOUR)
    ratelimit_hit(scope="sms_code_all", ident="all", window_seconds=HOUR)
    return None


def _refused(request: HttpRequest, template: str, context: dict, message: str) -> HttpResponse:
    context["refused"] = message
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(HOUR)
    return response


def _limited(request: HttpRequest, scope: str, limit: int) -> bool:
    ident = client_ip(request) or "unknown"
    if ratelimit_count(scope=scope, ident=ident) >= limit:
        return True
    ratelimit_hit(scope=scope, ident=ident, window_seconds=3600)
    return False


def _choice(request: HttpRequest):
    """The type, location, practitioners and start named in the query string, or None when any is
    unknown or closed online (scripted or stale links get the first page again)."""
    types = {str(t.pk): t for t in online_types()}
    locations = {str(loc.pk): loc for loc in online_locations()}
    appointment_type = types.get(request.GET.get("appointment_type", ""))
    location = locations.get(request.GET.get("location", ""))
    start = parse_datetime(request.GET.get("start", "")[:40]) if request.GET.get("start") else None
    if appointment_type is None or location is None or start is None or start.tzinfo is None:
        return None
    practitioners = online_practitioners(location=location)
    wanted = request.GET.get("practitioner", ANYONE)
    if wanted != ANYONE:
        practitioners = [p for p in practitioners if str(p.pk) == wanted]
    if not practitioners:
        return None
    return appointment_type, location, practitioners, start


@public
@require_http_methods(["GET"])
def start(request: HttpRequest) -> HttpResponse:
    clinic = ClinicSettings.load()
    now = timezone.now()
    if clinic.online_new_patients == ClinicSettings.NewPatients.REQUEST:
        return render(request, "booking/request_only.html", {"title": _("Book online")})
    types, locations = online_types(), online_locations()
    if not types or not locations:
        return render(request, "booking/closed.html", {"title": _("Book online")})
    window = online_window(clinic=clinic, now=now)
    location_id = request.GET.get("location") or str(locations[0].pk)
    location = next((loc for loc in locations if str(loc.pk) == location_id), locations[0])
    practitioners = online_practitioners(location=location)
    data = request.GET if "appointment_type" in request.GET else None
    initial = {"location": location.pk, "practitioner": ANYONE, "day": window.first_day}
    form = SearchForm(data, initial=initial, types=types, locations=locations, practitioners=practitioners)
    slots, day = None, window.first_day
    chosen: dict[str, Any] = {}
    if data is None or form.is_valid():
        chosen = form.cleaned_data if data is not None else {"appointment_type": types[0].pk, **initial}
        day = chosen["day"]
        appointment_type = next((t for t in types if t.pk == chosen["appointment_type"]), types[0])
        who = [p for p in practitioners if chosen["practitioner"] in (ANYONE, str(p.pk))]
        slots = online_slots(
            appointment_type=appointment_type, location=location, practitioners=who, day=day, window=window, now=now
        )
    context = {
        "title": _("Book online"),
        "form": form,
        "slots": slots,
        "day": day,
        "window": window,
        "chosen": chosen,
        "previous_day": day - dt.timedelta(days=1) if day > window.first_day else None,
        "next_day": day + dt.timedelta(days=1) if day < window.last_day else None,
    }
    return render(request, "booking/start.html", context, status=200 if data is None or form.is_valid() else 400)


@public
@never_cache
@require_http_methods(["GET", "POST"])
def details(request: HttpRequest) -> HttpResponse:
    clinic = ClinicSettings.load()
    now = timezone.now()
    request_only = clinic.online_new_patients == ClinicSettings.NewPatients.REQUEST
    choice = None if request_only else _choice(request)
    if choice is None and not request_only:
        return redirect("book:start")
    form = DetailsForm(request.POST if request.method == "POST" else None, today=local_date(now))
    context = {"title": _("Your details"), "form": form, "request_only": request_only}
    if choice is not None:
        appointment_type, location, practitioners, start_at = choice
        context.update(appointment_type=appointment_type, location=location, start=start_at)
        problem = online_start_problem(start=start_at, window=online_window(clinic=clinic, now=now))
        if problem:
            context["problem"] = problem
            return render(request, "booking/details.html", context, status=400)
    if request.method == "GET":
        return render(request, "booking/details.html", context)
    if _limited(request, "book", HOLDS_PER_HOUR):
        context["limited"] = True
        return render(request, "booking/details.html", context, status=429)
    if not form.is_valid():
        return render(request, "booking/details.html", context, status=400)
    data = form.cleaned_data
    if not request_only:
        refusal = _contact_refusal(data)
        if refusal is None and data["code_channel"] == OnlineBooking.CodeChannel.SMS:
            refusal = _sms_code_refusal(data["phone"])
        if refusal:
            return _refused(request, "booking/details.html", context, refusal)
    previous = request.session.get(SESSION_HOLD)
    if isinstance(previous, int):
        online_hold_release(booking_id=previous, now=now)
    try:
        if request_only:
            online_request_file(
                name=f"{data['first_name']} {data['last_name']}",
                email=data["email"],
                phone=data["phone"],
                screening=form.screening(),
                now=now,
            )
            return redirect("consult:thanks")
        booking = online_hold_create(
            appointment_type=appointment_type,
            location=location,
            practitioners=practitioners,
            start=start_at,
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
            email=data["email"],
            phone=data["phone"],
            code_channel=data["code_channel"],
            email_consent=data["email_consent"],
            sms_consent=data["sms_consent"],
            screening=form.screening(),
            now=now,
        )
    except DayFull as exc:
        response = _refused(request, "booking/details.html", context, exc.message)
        response["Retry-After"] = str(int(HOLD_VALID.total_seconds()))  # the holds run out by then
        return response
    except BookingError as exc:
        form.add_error(None, exc.message)
        return render(request, "booking/details.html", context, status=409)
    request.session[SESSION_HOLD] = booking.pk
    return redirect("book:verify")


@public
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    booking = held(request)
    if booking is None:
        return redirect("book:start")
    now = timezone.now()
    form = CodeForm(request.POST if request.method == "POST" and "verify" in request.POST else None)
    context = {"title": _("Enter your code"), "form": form, "booking": booking}
    if request.method == "GET":
        return render(request, "booking/verify.html", context)
    if "resend" in request.POST:
        if _limited(request, "book", HOLDS_PER_HOUR):
            context["limited"] = True
            return render(request, "booking/verify.html", context, status=429)
        if booking.code_channel == OnlineBooking.CodeChannel.SMS and (refusal := _sms_code_refusal(booking.phone)):
            return _refused(request, "booking/verify.html", context, refusal)
        try:
            online_code_resend(booking=booking, now=now)
        except BookingError as exc:
            context["gone"] = exc.message
            return render(request, "booking/verify.html", context, status=409)
        context["resent"] = True
        return render(request, "booking/verify.html", context)
    if _limited(request, "book_code", CODES_PER_HOUR):
        context["limited"] = True
        return render(request, "booking/verify.html", context, status=429)
    if not form.is_valid():
        return render(request, "booking/verify.html", context, status=400)
    try:
        booking = online_booking_confirm(
            booking=booking, code=form.cleaned_data["code"], now=now, client_address=client_ip(request)
        )
    except CodeRefused as exc:
        if exc.tries_left:
            form.add_error("code", exc.message)
        else:
            request.session.pop(SESSION_HOLD, None)
            context["gone"] = exc.message
        return render(request, "booking/verify.html", context, status=400)
    except BookingError as exc:
        request.session.pop(SESSION_HOLD, None)
        context["gone"] = exc.message
        return render(request, "booking/verify.html", context, status=409)
    if booking.status == OnlineBooking.Status.PAYING:
        return redirect("book:pay")
    return booked_next(request, booking)
