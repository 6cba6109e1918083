import logging
import os

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import roles

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


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)


# Staff accounts only: a signed-in account without a role has nothing to protect yet.
password_change = roles.role_required(*roles.ALL_ROLES)(PasswordChangeView.as_view())


def locked_out(request: HttpRequest, *axes_args) -> HttpResponse:
    """django-axes calls this instead of the login view once an account is locked: it says why,
    for how long, and what to do, in words (axes' own context gives an ISO 8601 duration). The
    failed response and credentials axes passes after the request are not needed."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


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
