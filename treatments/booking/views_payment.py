"""/book/ after the code: the deposit the clinic asks (pay, paid), the optional card for the
late-cancel policy (card, card_saved), and the confirmation (done). The first pages, up to the
code, are in views.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from clinic.roles import public
from treatments import hooks
from treatments.booking.session import SESSION_CARD, booked, booked_next, held
from treatments.models import OnlineBooking

Status = OnlineBooking.Status


def _paying(request: HttpRequest) -> OnlineBooking | None:
    booking = held(request)
    return booking if booking is not None and booking.status in (Status.PAYING, Status.BOOKED) else None


@public
@never_cache
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest) -> HttpResponse:
    """The deposit the clinic asks (hooks.online_payment): the amount is the server's; the button
    makes the card gateway's page for it and the patient follows a link there (the site's
    form-action policy keeps form posts on this site)."""
    booking, step = _paying(request), hooks.online_payment()
    if booking is None or step is None:
        return redirect("book:start")
    if booking.status == Status.BOOKED:
        return booked_next(request, booking)
    context: dict[str, Any] = {"title": _("Pay the deposit"), "booking": booking}
    context["deposit"] = step.deposit_text(booking_id=booking.pk)
    if request.method == "GET":
        return render(request, "booking/pay.html", context)
    paid, back = (request.build_absolute_uri(reverse(name)) for name in ("book:paid", "book:pay"))
    return _to_gateway(
        request,
        "booking/pay.html",
        context,
        lambda: step.begin(booking_id=booking.pk, success_url=paid, cancel_url=back, now=timezone.now()),
    )


def _to_gateway(request: HttpRequest, template: str, context: dict[str, Any], begin: Callable[[], str]) -> HttpResponse:
    """A press that makes the card gateway's page (`begin` returns its address): the page then
    shows a link to it (the site's form-action policy keeps form posts on this site), or the
    step's refusal (status 400, nothing charged)."""
    try:
        context["checkout_url"] = begin()
    except hooks.PaymentStepError as exc:
        context["error"] = str(exc)
        return render(request, template, context, status=400)
    return render(request, template, context)


@public
@never_cache
@require_http_methods(["GET"])
def paid(request: HttpRequest) -> HttpResponse:
    """Back from the card gateway: the gateway is asked (never the address) and a paid deposit books
    the held time, whether or not the gateway's webhook came first."""
    booking, step = _paying(request), hooks.online_payment()
    if booking is None or step is None:
        return redirect("book:start")
    settled = step.settle(booking_id=booking.pk, now=timezone.now())
    booking.refresh_from_db()
    if booking.status == Status.BOOKED:
        return booked_next(request, booking)
    context = {"title": _("Your payment"), "booking": booking, "settled": settled}
    return render(request, "booking/paying.html", context)


@public
@never_cache
@require_http_methods(["GET"])
def done(request: HttpRequest) -> HttpResponse:
    booking = booked(request)
    if booking is None:
        return redirect("book:start")
    context = {"title": _("You are booked"), "booking": booking, "card": request.session.pop(SESSION_CARD, None)}
    return render(request, "booking/done.html", context)


@public
@never_cache
@require_http_methods(["GET", "POST"])
def card(request: HttpRequest) -> HttpResponse:
    """After booking, optional: save a card for the clinic's late-cancel policy (hooks.online_card).
    The policy's words first, a tick that they were read (the version shown is checked), then a
    link to the card gateway's setup page; or skip to the confirmation."""
    booking, step = booked(request), hooks.online_card()
    if booking is None or step is None:
        return redirect("book:start")
    policy, version = step.offer(booking_id=booking.pk)
    if not policy:
        return redirect("book:done")
    context: dict[str, Any] = {
        "title": _("Save a card for late cancellations"),
        "booking": booking,
        "policy": policy,
        "version": version,
        "key": uuid.uuid4(),
    }
    if request.method == "GET":
        return render(request, "booking/card.html", context)
    try:
        key = uuid.UUID(request.POST.get("key", ""))
    except ValueError:
        context["error"] = _("The form was incomplete. Please try again.")
        return render(request, "booking/card.html", context, status=400)
    choice = hooks.CardChoice(
        agreed=request.POST.get("agree") == "on", version=request.POST.get("version", ""), key=key
    )
    saved = request.build_absolute_uri(reverse("book:card_saved", args=[key]))
    back = request.build_absolute_uri(reverse("book:card"))
    return _to_gateway(
        request,
        "booking/card.html",
        context,
        lambda: step.begin(
            booking_id=booking.pk, choice=choice, success_url=saved, cancel_url=back, now=timezone.now()
        ),
    )


@public
@never_cache
@require_http_methods(["GET"])
def card_saved(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """Back from the card gateway's setup page: the gateway is asked (never the address), the card
    kept once whether or not the webhook came first; then the confirmation says what happened."""
    booking, step = booked(request), hooks.online_card()
    if booking is None or step is None:
        return redirect("book:start")
    saved = step.saved(booking_id=booking.pk, key=key, now=timezone.now())
    request.session[SESSION_CARD] = "saved" if saved else "not saved"
    return redirect("book:done")
