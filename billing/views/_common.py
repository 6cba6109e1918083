"""What billing's views share: the request's clock and address, and how a form's write is answered
(a refused write shown in the form, the status code it earns)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django import forms
from django.http import HttpResponse
from django.utils import timezone

from billing.services import BillingError, StaleInvoice
from clinic.client_address import client_ip
from clinic.roles import AuthenticatedHttpRequest


def now() -> dt.datetime:
    return timezone.now()


def actor(request: AuthenticatedHttpRequest) -> dict:
    """The `by` and `ip` every billing service takes."""
    return {"by": request.user, "ip": client_ip(request)}


def refusal(form: forms.Form, exc: BillingError) -> int:
    """Show a refused write in the form (nothing was saved) and answer its status code: 409 when
    someone else changed the invoice meanwhile, 400 otherwise."""
    form.add_error(None, str(exc))
    return 409 if isinstance(exc, StaleInvoice) else 400


def form_write(
    request: AuthenticatedHttpRequest,
    form: forms.Form,
    *,
    write: Callable[[dict], HttpResponse],
    again: Callable[[int], HttpResponse],
) -> HttpResponse:
    """A form's page and its write, answered the same way on every billing page: shown (200) on
    GET; sent but invalid (400) or refused by the service (its reason in the form, 400 or 409: see
    `refusal`) shown `again` with what was typed and nothing saved; written, `write`'s answer (a
    redirect). `write` gets the cleaned data and calls the service."""
    if request.method != "POST":
        return again(200)
    if not form.is_valid():
        return again(400)
    try:
        return write(form.cleaned_data)
    except BillingError as exc:
        return again(refusal(form, exc))
