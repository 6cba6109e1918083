"""How every portal view finds its patient: the link is resolved first (a wrong, expired or revoked
link is the same 404 as one that never existed), and every id in the URL is looked up through the
link's patient only (another patient's id is a 404 too). Shared by the portal's view modules."""

import inspect
from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from clinic.audit import audit_record
from clinic.client_address import client_network
from clinic.roles import public
from patients.models import Patient
from patients.ratelimit import ratelimit_hit
from patients.tokens import portal_token_resolve
from treatments.models import Appointment, TreatmentSeries, WaitlistOffer
from treatments.portal.selectors import portal_appointment, portal_offer, portal_series
from treatments.portal.services import portal_token_touch

# Failed link lookups per client address before its further misses are answered "too many".
FAILED_LOOKUP_LIMIT = 20
FAILED_LOOKUP_WINDOW = 15 * 60
RATE_SCOPE = "portal-miss"


class PortalHttpRequest(HttpRequest):
    """What a `portal_view` hands its view: the request with the link (the token as written in the
    URL) and the link's patient. For the type checker; at run time it is Django's HttpRequest."""

    portal_token: str
    portal_patient: Patient


def portal_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Resolve the link first. A view that works with the clock declares `now` and is given the
    time the link was checked at."""
    wants_now = "now" in inspect.signature(view).parameters

    # Django passes a plain HttpRequest: the two portal attributes are set on it below.
    @public
    @never_cache
    @wraps(view)
    def wrapped(request: PortalHttpRequest, token: str, **kwargs) -> HttpResponse:
        now = timezone.now()
        access = portal_token_resolve(raw=token, now=now)
        if access is None:
            # Only misses are counted, and only after the lookup: a valid link always opens, even
            # from an address (a clinic's shared Wi-Fi, a phone carrier's) where someone guessed.
            misses = ratelimit_hit(
                scope=RATE_SCOPE, ident=client_network(request) or "unknown", window_seconds=FAILED_LOOKUP_WINDOW
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


def portal_audit(request: PortalHttpRequest, action: str, obj=None, object_type: str = "") -> None:
    audit_record(
        request=request,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id="" if obj is not None else request.portal_patient.pk,
        patient_id=request.portal_patient.pk,
        via="portal",
    )


def appointment_or_404(request: PortalHttpRequest, appointment_id: int) -> Appointment:
    appointment = portal_appointment(patient=request.portal_patient, appointment_id=appointment_id)
    if appointment is None:
        raise Http404
    return appointment


def series_or_404(request: PortalHttpRequest, series_id: int) -> TreatmentSeries:
    series = portal_series(patient=request.portal_patient, series_id=series_id)
    if series is None:
        raise Http404
    return series


def offer_or_404(request: PortalHttpRequest, offer_id: int) -> WaitlistOffer:
    offer = portal_offer(patient=request.portal_patient, offer_id=offer_id)
    if offer is None:
        raise Http404
    return offer


# Moves, bookings and claims per address: enough for a patient changing their mind, not for a script.
CHANGE_LIMIT = 20
CHANGE_WINDOW = 15 * 60
CHANGE_SCOPE = "portal-change"


def change_rate_limited(request: HttpRequest) -> HttpResponse | None:
    """Count one change attempt from this client; the 429 page once there were too many."""
    ident = client_network(request) or "unknown"  # an IPv6 client per /64
    return _too_many(request, scope=CHANGE_SCOPE, ident=ident, limit=CHANGE_LIMIT, window=CHANGE_WINDOW)


# Check-ins per patient (from any address): a few a day are normal, a flood is a script.
CHECKIN_LIMIT = 6
CHECKIN_WINDOW = 60 * 60
CHECKIN_SCOPE = "portal-checkin"


def checkin_rate_limited(request: PortalHttpRequest) -> HttpResponse | None:
    """Count one check-in sent by this link's patient; the 429 page once there were too many."""
    ident = str(request.portal_patient.pk)
    return _too_many(request, scope=CHECKIN_SCOPE, ident=ident, limit=CHECKIN_LIMIT, window=CHECKIN_WINDOW)


def _too_many(request: HttpRequest, *, scope: str, ident: str, limit: int, window: int) -> HttpResponse | None:
    if ratelimit_hit(scope=scope, ident=ident, window_seconds=window) > limit:
        response = render(request, "treatments/portal/too_many.html", status=429)
        response["Retry-After"] = str(window)
        return response
    return None


def portal_context(request: PortalHttpRequest, **extra) -> dict:
    return {"token": request.portal_token, "patient": request.portal_patient, **extra}
