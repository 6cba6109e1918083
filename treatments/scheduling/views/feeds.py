"""Calendar files: the practitioner's secret feed (public, by token), the practitioner's page to
issue or revoke it, and the desk's "add to calendar" file per appointment."""

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from clinic.audit import audit_record
from clinic.client_address import client_network
from clinic.feed_tokens import (
    feed_url,
    practitioner_feed_token_issue,
    practitioner_feed_token_revoke,
    practitioner_for_feed_token,
)
from clinic.models import AuditEntry, Practitioner
from clinic.roles import AuthenticatedHttpRequest, desk_required, public
from patients.ratelimit import ratelimit_hit
from treatments.scheduling.access import appointment_for
from treatments.scheduling.feeds import appointment_file
from treatments.scheduling.feeds import practitioner_feed as feed_text

logger = logging.getLogger(__name__)

# Wrong or revoked feed tokens per client (an IPv6 client per /64) in an hour before its further
# misses are answered 429. A calendar app polls a live link a few times an hour and never misses;
# a revoked link left in one app misses a few times an hour, well under this.
FEED_MISS_LIMIT = 20
FEED_MISS_WINDOW = 60 * 60
FEED_MISS_SCOPE = "feed-miss"


def _ics(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@public
@never_cache
@require_GET
def practitioner_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Wrong, revoked and malformed tokens are all the same 404, until one client has missed more
    than FEED_MISS_LIMIT times this hour: then 429 with when to try again. Only misses are counted,
    after the lookup, so a live link always works, even from an address where someone guessed."""
    practitioner = practitioner_for_feed_token(token)
    if practitioner is None:
        network = client_network(request) or "unknown"
        misses = ratelimit_hit(scope=FEED_MISS_SCOPE, ident=network, window_seconds=FEED_MISS_WINDOW)
        if misses > FEED_MISS_LIMIT:
            if misses == FEED_MISS_LIMIT + 1:  # once per client and hour; the token is never logged
                logger.warning("calendar feed: too many wrong links from %s, refused for the hour", network)
            response = HttpResponse(
                _("Too many wrong calendar links from this address. Try again in an hour."),
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(FEED_MISS_WINDOW)
            return response
        raise Http404
    response = HttpResponse(
        feed_text(practitioner=practitioner, now=timezone.now()), content_type="text/calendar; charset=utf-8"
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@desk_required
@require_GET
def appointment_ics(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = appointment_for(request.user, pk)
    audit_record(request=request, action=AuditEntry.Action.EXPORT, obj=appointment, patient_id=appointment.patient_id)
    return _ics(appointment_file(appointment=appointment, now=timezone.now()), f"appointment-{appointment.pk}.ics")


@desk_required
@never_cache
@require_http_methods(["GET", "POST"])
def feed_manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A practitioner's own feed: issue (shown once), regenerate or revoke."""
    practitioner = Practitioner.objects.filter(user=request.user).first()
    new_url, notice = "", ""
    if practitioner is not None and request.method == "POST":
        action = request.POST.get("action")
        if action == "issue":
            new_url = feed_url(practitioner_feed_token_issue(practitioner=practitioner))
        elif action == "revoke":
            practitioner_feed_token_revoke(practitioner=practitioner)
            notice = _("Your calendar feed is revoked: the old link no longer works.")
        else:
            notice = _("Choose to create a new link or to revoke the current one.")
    return render(
        request,
        "treatments/calendar_feed.html",
        {"practitioner": practitioner, "new_url": new_url, "notice": notice},
        status=400 if notice and request.POST.get("action") not in ("issue", "revoke") else 200,
    )
