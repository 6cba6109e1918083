"""A time that came free, offered to the patient from the waitlist: look at it and take it. The
claim is the scheduling service's (first claim wins, enforced by the database); a late or expired
claim reads as such and changes nothing."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinic.models import AuditEntry, ClinicSettings
from treatments.portal.access import (
    PortalHttpRequest,
    change_rate_limited,
    offer_or_404,
    portal_audit,
    portal_context,
    portal_view,
)
from treatments.scheduling.services.waitlist_claim import OfferError, waitlist_offer_claim


@portal_view
@require_http_methods(["GET", "POST"])
def offer(request: PortalHttpRequest, *, now, offer_id: int) -> HttpResponse:
    item = offer_or_404(request, offer_id)
    error = ""
    if request.method == "POST":
        if limited := change_rate_limited(request):
            return limited
        try:
            booked = waitlist_offer_claim(offer=item, now=now)
        except OfferError as exc:
            error = str(exc)
            item.refresh_from_db()
        else:
            portal_audit(request, AuditEntry.Action.CHANGE, obj=booked)
            messages.success(request, _("The time is yours. We have sent you the details."))
            return redirect("portal:home", token=request.portal_token)
    else:
        portal_audit(request, AuditEntry.Action.VIEW, obj=item)
    return render(
        request,
        "treatments/portal/offer.html",
        portal_context(
            request,
            offer=item,
            error=error,
            open=item.status == item.Status.OPEN and item.expires_at > now,
            clinic=ClinicSettings.load(),
        ),
        status=409 if error else 200,
    )
