"""What billing's views share: the request's clock and address, and how a refused write is shown."""

from __future__ import annotations

import datetime as dt

from django import forms
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
