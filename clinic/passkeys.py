"""Passkeys (WebAuthn) as a second factor beside the authenticator app, by django-otp-webauthn: its
credential is a django-otp device, so a session that used one is verified like one that typed a
code, and `clinic.two_factor.two_factor_gate` counts a confirmed passkey as a way to sign in.

The library's four ceremony views (register, sign in: begin and complete) and its translations for
the browser are mounted under /accounts/two-factor/passkeys/ (clinic/urls_passkeys.py), each behind
a staff role. Its browser side is two module scripts served from our own static files and its
settings in a JSON data block: nothing inline, nothing from another host."""

import logging

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import CompleteCredentialAuthenticationView, CompleteCredentialRegistrationView

from .models import ClinicSettings
from .two_factor import CODE_NEEDED_SESSION_KEY, TwoFactorError, app_enabled, second_step_passed, two_factor_required

logger = logging.getLogger(__name__)


def relying_party_name(request: HttpRequest) -> str:  # noqa: ARG001 -- the library's callable signature
    """The name a phone or a browser shows when it offers a passkey: the clinic's."""
    return ClinicSettings.load().name


def passkeys_of(user) -> QuerySet[WebAuthnCredential]:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def passkey_for(user, pk: int) -> WebAuthnCredential:
    """One of the user's own passkeys; anyone else's (or none) is a 404."""
    return get_object_or_404(WebAuthnCredential, user=user, pk=pk)


def passkey_remove(*, user, pk: int) -> None:
    """Remove one of the user's passkeys. Someone who must use two-factor sign-in keeps at least one
    way to do it (an authenticator app or another passkey)."""
    with transaction.atomic():
        passkey = passkey_for(user, pk)
        # All the user's passkeys locked, in one order: of two tabs removing the last two at once,
        # the second waits for the first and then sees one fewer.
        live = list(
            WebAuthnCredential.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        others = len([other for other in live if other != passkey.pk])
        if two_factor_required(user) and not others and not app_enabled(user):
            raise TwoFactorError(
                _(
                    "You must keep one way to pass the second step of signing in. Add another passkey "
                    "or set up an authenticator app first."
                )
            )
        passkey.delete()
    logger.info("passkey removed for user %s", user.pk)


class PasskeySignInView(CompleteCredentialAuthenticationView):
    """The second step by passkey: as after a code, the session gets a new key."""

    def complete_auth(self, device) -> None:
        second_step_passed(self.request, device)


class PasskeyRegisterView(CompleteCredentialRegistrationView):
    """A new passkey. The library refuses it to a session that has not passed the second step with
    a way it already has; one that had none is now verified by the new passkey (it was just used)."""

    def post(self, *args, **kwargs):
        # is_verified is set on request.user by django_otp's OTPMiddleware.
        first_step = not self.request.user.is_verified()
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            if first_step:
                self.request.session.cycle_key()
                self.request.session.pop(CODE_NEEDED_SESSION_KEY, None)
            logger.info("passkey added for user %s", self.request.user.pk)
        return response
