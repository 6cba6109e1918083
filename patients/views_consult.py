"""The public "Is prolotherapy right for me?" self-check and the consultation request form."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic.client_address import client_network
from clinic.roles import public

from .forms_consult import SELF_CHECK_QUESTIONS, ConsultationRequestForm, SelfCheckForm
from .ratelimit import ratelimit_count, ratelimit_hit
from .services_consult import (
    REQUEST_LIMIT_PER_HOUR,
    ConsultationError,
    consultation_request_create,
    self_check_guidance,
)

SESSION_KEY = "consult_self_check"
RATE_SCOPE = "consult"


@public
@require_http_methods(["GET", "POST"])
def self_check(request: HttpRequest) -> HttpResponse:
    form = SelfCheckForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            request.session[SESSION_KEY] = form.answers()
            return redirect("consult:request")
        return render(request, "patients/consult_self_check.html", {"form": form}, status=400)
    return render(request, "patients/consult_self_check.html", {"form": form})


def _self_check_answers(request: HttpRequest) -> dict[str, bool]:
    stored = request.session.get(SESSION_KEY) or {}
    names = {name for name, _label in SELF_CHECK_QUESTIONS}
    return {k: bool(v) for k, v in stored.items() if k in names}


@public
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    answers = _self_check_answers(request)
    guidance = self_check_guidance(answers=answers) if answers else None
    ident = client_network(request) or "unknown"  # an IPv6 client per /64
    form = ConsultationRequestForm(request.POST if request.method == "POST" else None)
    context: dict[str, object] = {"form": form, "guidance": guidance}
    if request.method == "POST":
        if ratelimit_count(scope=RATE_SCOPE, ident=ident) >= REQUEST_LIMIT_PER_HOUR:
            context["limited"] = True
            response = render(request, "patients/consult_request.html", context, status=429)
            response["Retry-After"] = "3600"  # the hour's count starts again within the hour
            return response
        ratelimit_hit(scope=RATE_SCOPE, ident=ident, window_seconds=3600)
        if not form.is_valid():
            return render(request, "patients/consult_request.html", context, status=400)
        if form.is_spam:
            # Look like success so the robot learns nothing; store nothing.
            return redirect("consult:thanks")
        data = form.cleaned_data
        try:
            consultation_request_create(
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                preferred_times=data["preferred_times"],
                message=data["message"],
                consent=data["consent"],
                self_check=answers,
                now=timezone.now(),
            )
        except ConsultationError as exc:
            form.add_error(None, str(exc))
            return render(request, "patients/consult_request.html", context, status=400)
        request.session.pop(SESSION_KEY, None)
        return redirect("consult:thanks")
    return render(request, "patients/consult_request.html", context)


@public
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "patients/consult_thanks.html", {"title": _("Thank you")})
