"""What the visitor's browser session carries through /book/: the held booking's id, then the
booked one's, and what became of the optional card step. The session carries them, never the URL,
so nobody can open or confirm someone else's hold."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from treatments import hooks
from treatments.models import OnlineBooking

SESSION_HOLD = "book_hold"
SESSION_DONE = "book_done"
SESSION_CARD = "book_card"  # what became of the optional card step, for the confirmation


def held(request: HttpRequest) -> OnlineBooking | None:
    """The booking this browser holds (its id in the session, never in the URL), or None."""
    pk = request.session.get(SESSION_HOLD)
    if not isinstance(pk, int):
        return None
    return OnlineBooking.objects.select_related("location", "appointment_type", "practitioner").filter(pk=pk).first()


def booked(request: HttpRequest) -> OnlineBooking | None:
    """The booking this browser has just made, or None."""
    pk = request.session.get(SESSION_DONE)
    if not isinstance(pk, int):
        return None
    return (
        OnlineBooking.objects.select_related("location", "appointment_type", "practitioner")
        .filter(pk=pk, status=OnlineBooking.Status.BOOKED)
        .first()
    )


def booked_next(request: HttpRequest, booking: OnlineBooking) -> HttpResponse:
    """Booked (and the deposit paid, if any): the optional card step when the clinic offers it,
    else the confirmation."""
    request.session.pop(SESSION_HOLD, None)
    request.session[SESSION_DONE] = booking.pk
    step = hooks.online_card()
    if step is not None and step.offer(booking_id=booking.pk)[0]:
        return redirect("book:card")
    return redirect("book:done")
