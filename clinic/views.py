import logging
import math
import os

from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from . import roles, signin_guard
from .client_address import client_username
from .middleware import may_cache

logger = logging.getLogger(__name__)


@roles.public
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their own door."""
    user = request.user
    if not user.is_authenticated:
        return redirect("education:index")
    if roles.has_role(user, roles.PRACTITIONER):
        return redirect("practice:today")
    if roles.has_role(user, roles.FRONT_DESK, roles.CLINIC_ADMIN):
        return redirect("desk:calendar")
    # A signed-in account with no role yet: nothing to show but the public pages.
    messages.info(request, _("Your account has no role yet. Ask the clinic admin to give you one."))
    return redirect("education:index")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # This browser is now trusted for this person: others' failures do not lock it out.
        signin_guard.device_cookie_issue(response, username=form.get_user().get_username())
        return response


class GuardedPasswordChangeForm(PasswordChangeForm):
    """The old password is checked as a sign-in attempt: through django-axes (counted, and refused
    while the account is locked for this client), not by a bare check_password."""

    def __init__(self, user, *args, request: HttpRequest, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        checked = authenticate(self.request, username=self.user.get_username(), password=old_password)
        # A right old password is no failure: its place in the account's hourly budget goes back
        # (a sign-in gives it back when it logs in; this page never logs in).
        signin_guard.budget_place_return(self.request)
        if checked != self.user:
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")
    form_class = GuardedPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)


# Staff accounts only: a signed-in account without a role has nothing to protect yet.
password_change = roles.role_required(*roles.ALL_ROLES)(PasswordChangeView.as_view())


def locked_out(request: HttpRequest, *axes_args) -> HttpResponse:
    """django-axes calls this instead of the login view once an account is locked: it says why,
    for how long, and what to do, in words (axes' own context gives an ISO 8601 duration). The
    failed response and credentials axes passes after the request are not needed."""
    username = client_username(request, getattr(request, "axes_credentials", None))
    wait = signin_guard.retry_after(request, username, now=timezone.now())
    minutes = math.ceil(wait.total_seconds() / 60)
    response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("healthz: database not reachable", exc_info=True)
        return False


def _broker_ok() -> bool:
    from clinic.celery import app

    if app.conf.broker_url.startswith("filesystem:"):
        # Connecting to the filesystem broker touches nothing: check that its queue is writable.
        folder = app.conf.broker_transport_options.get("data_folder_in", "")
        return bool(folder) and os.access(folder, os.W_OK)
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return True
    except Exception:
        logger.warning("healthz: broker not reachable", exc_info=True)
        return False


@may_cache  # the site's icon, nothing about anyone
@roles.public
@require_safe
def favicon(_request: HttpRequest) -> HttpResponse:
    """Browsers ask /favicon.ico of a page that names no icon (the admin's): the site's own icon,
    instead of a 404 in the log for every admin page."""
    response = redirect(static("favicon.svg"), permanent=True)
    response["Cache-Control"] = "public, max-age=86400"
    return response


@roles.public
@never_cache
@require_GET
def healthz(_request: HttpRequest) -> JsonResponse:
    database, broker = _database_ok(), _broker_ok()
    ok = database and broker
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "database": database, "broker": broker},
        status=200 if ok else 503,
    )
