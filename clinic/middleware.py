from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .client_address import peer_is_trusted_proxy

TEXT = "text/plain; charset=utf-8"

# Nothing is loaded from another host; no inline script or style is allowed either.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# No page uses the camera, microphone, location, payments, USB or sensors: no page, nor anything
# injected into one, may ask for them. (Passkeys, publickey-credentials-*, stay at their default.
# "bluetooth" is no feature Chromium knows: it logged an error in the console of every page.)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "serial",
        "accelerometer",
        "gyroscope",
        "magnetometer",
        "display-capture",
        "browsing-topics",
    )
)


class TrustedProxyHeadersMiddleware:
    """First in MIDDLEWARE: `X-Forwarded-Proto` (what SECURE_PROXY_SSL_HEADER reads to decide that a
    request came over HTTPS) is believed only from a peer in TRUSTED_PROXIES; from anyone else it is
    dropped before Django looks at it. gunicorn's `forwarded_allow_ips` (FORWARDED_ALLOW_IPS) does
    the same for its own URL scheme, but passes the header on to the app untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "HTTP_X_FORWARDED_PROTO" in request.META and not peer_is_trusted_proxy(request):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)


class BodySizeMiddleware:
    """A request whose body is larger than it may be is answered 413 with a sentence, before any of
    it is read: a form with files (multipart: the attachments) up to REQUEST_BODY_MAX_BYTES, any
    other body up to DATA_UPLOAD_MAX_MEMORY_SIZE, which Django would refuse anyway, later and with
    a bare 400. (DATA_UPLOAD_MAX_MEMORY_SIZE still caps form fields of a body sent without a length.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponseBadRequest(_("The request's length is not a number."), content_type=TEXT)
        limit = settings.REQUEST_BODY_MAX_BYTES
        if not request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
            limit = min(limit, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or limit)
        if length > limit:
            message = _("This is too large to send: at most %(mb)s MB at a time. Nothing was saved.") % {
                "mb": f"{limit / (1024 * 1024):g}"
            }
            return HttpResponse(message, status=413, content_type=TEXT)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        else:
            # The admin ships inline scripts of its own; it still loads nothing from elsewhere.
            response.setdefault(
                "Content-Security-Policy",
                CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
                    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
                ),
            )
        return response


def may_cache(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a view whose pages hold nothing about any patient (the public education pages, the
    calendar's colour stylesheet): browsers may keep them. Every other response is no-store."""
    # A marker on the function object (functions carry no such attribute in their type), read below.
    view.prolo_may_cache = True  # type: ignore[attr-defined]
    return view


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response not marked `may_cache`: staff pages and
    the portal show patients' data, and on a shared front-desk computer neither the browser's cache
    nor Back after logout may show it again. Deny by default, so a new page is covered the day it
    is added (tests/test_no_store.py walks the URLconf). Static files never reach this middleware:
    whitenoise answers them before it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is None or not getattr(match.func, "prolo_may_cache", False):
            patch_cache_control(response, no_store=True, private=True)
        return response


class TwoFactorMiddleware:
    """Before any staff page: a signed-in user whose account uses two-factor sign-in enters a code,
    and the clinic admin sets it up first (`clinic.two_factor.two_factor_gate`). After django-otp's
    OTPMiddleware, which tells whether this session has entered one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, _view_args, _view_kwargs) -> HttpResponse | None:
        from .two_factor import two_factor_gate

        target = two_factor_gate(request, view)
        return redirect(target) if target else None


# What the admin takes from a request without checking it, for every admin (ours or a library's):
# - the list search turns every word into its own condition over every search field, so a pasted
#   page of words nests thousands (SQLite refuses the query past a depth of 1,000, PostgreSQL plans
#   it at length): the first words are kept, nobody searches with more;
# - a bulk action filters by the ticked rows' ids as posted, so a forged one that is not a number
#   raised a server error in the action: every model here has whole-number ids, anything else is 400.
ADMIN_SEARCH_WORDS = 8
ADMIN_SEARCH_CHARS = 200
ADMIN_ID_DIGITS = 18


class AdminInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/admin/"):
            if request.method == "POST" and not all(map(_whole_id, request.POST.getlist("_selected_action"))):
                return HttpResponseBadRequest(_("Tick rows of the list to act on them."))
            query = request.GET.get("q")
            if query:
                bounded = " ".join(query[:ADMIN_SEARCH_CHARS].split()[:ADMIN_SEARCH_WORDS])
                if bounded != query:
                    params = request.GET.copy()
                    params["q"] = bounded
                    # A mutable copy stands in for Django's immutable GET: nothing downstream writes to it.
                    request.GET = params  # type: ignore[assignment]
        return self.get_response(request)


def _whole_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= ADMIN_ID_DIGITS
