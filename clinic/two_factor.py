"""Two-factor sign-in for staff: a TOTP authenticator app (django-otp's TOTPDevice) with ten
single-use recovery codes (a StaticDevice), and passkeys (clinic/passkeys.py, django-otp-webauthn's
WebAuthnCredential, a django-otp device too). Required for the clinic admin (`ADMIN_2FA_REQUIRED`),
and for every staff role when `STAFF_2FA_REQUIRED` is on (on by default in production). The policy
— who must pass the second step, who must set one up first — is `two_factor_gate`, applied to every
request by `clinic.middleware.TwoFactorMiddleware`."""

import datetime as dt
import logging
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from django_otp_webauthn.models import WebAuthnCredential

from . import roles
from .integrity import integrity_message

logger = logging.getLogger(__name__)

RECOVERY_CODES = 10
# Set at login when the account uses two-factor sign-in: the session must enter a code before
# anything else (cheaper than asking the database on every request of every signed-in user).
CODE_NEEDED_SESSION_KEY = "prolo_2fa_code_needed"
# Pages a signed-in user may open before the second step: leaving, and the step itself.
ALWAYS_OPEN = {"logout", "admin:logout"}
# The passkey ceremonies (clinic/urls_passkeys.py) behind the second step's page and the set-up
# page; the library itself refuses a new passkey to a session that has a way it has not used.
PASSKEY_SIGN_IN = {
    "two_factor_verify",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}
PASSKEY_SET_UP = {
    "two_factor_setup",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:js-i18n-catalog",
}


def two_factor_required(user) -> bool:
    if settings.STAFF_2FA_REQUIRED and roles.has_role(user, *roles.ALL_ROLES):
        return True
    return settings.ADMIN_2FA_REQUIRED and roles.has_role(user, roles.CLINIC_ADMIN)


def app_enabled(user) -> bool:
    """Whether the user has an authenticator app (and so recovery codes)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_enabled(user) -> bool:
    """Whether the user has a second step to pass: an authenticator app or a passkey."""
    return app_enabled(user) or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_key_new() -> str:
    """A new secret: 20 random bytes, hex as django-otp stores it."""
    return random_hex(20)


def totp_key_text(key: str) -> str:
    """The secret as an authenticator app asks for it when typed: base32, in groups of four."""
    text = b32encode(unhexlify(key)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def totp_uri(*, key: str, username: str, issuer: str) -> str:
    issuer = issuer.replace(":", "")
    params = urlencode({"secret": totp_key_text(key).replace(" ", ""), "issuer": issuer, "digits": 6, "period": 30})
    return f"otpauth://totp/{quote(f'{issuer}:{username}')}?{params}"


def totp_qr_data_uri(uri: str) -> str:
    """The QR code as an SVG data URI: an <img> the Content-Security-Policy allows (img-src data:)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


class TwoFactorError(Exception):
    """A change another page made first (clinic migration 0006_races); the message is shown."""


def _code_normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _recovery_codes_issue(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [f"{code[:4]}-{code[4:]}" for code in codes]


def two_factor_enable(*, user, key: str, code: str, now: dt.datetime) -> tuple[TOTPDevice, list[str]] | None:
    """Turn two-factor sign-in on with the secret the user's app holds, once the app's code proves
    it. Replaces any earlier phone and recovery codes. None when the code does not match."""
    normalised = _code_normalise(code)
    if not normalised.isdigit():
        return None
    totp = TOTP(unhexlify(key))
    totp.time = now.timestamp()
    if not totp.verify(int(normalised), tolerance=1):
        return None
    try:
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            # last_t: this code cannot be used again to sign in.
            device = TOTPDevice.objects.create(
                user=user, name="Authenticator app", key=key, confirmed=True, last_t=totp.t(), drift=0
            )
            codes = _recovery_codes_issue(user)
    except IntegrityError as exc:
        # Another tab turned it on at the same moment: one app and one set of codes per account.
        raise TwoFactorError(integrity_message(exc)) from exc
    logger.info("two-factor sign-in turned on for user %s", user.pk)
    return device, codes


def recovery_codes_renew(*, user) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    try:
        with transaction.atomic():
            codes = _recovery_codes_issue(user)
    except IntegrityError as exc:
        raise TwoFactorError(integrity_message(exc)) from exc
    logger.info("recovery codes renewed for user %s", user.pk)
    return codes


def two_factor_disable(*, user) -> None:
    """Every second step goes: the authenticator app, its recovery codes and any passkeys."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        WebAuthnCredential.objects.filter(user=user).delete()
    logger.info("two-factor sign-in turned off for user %s", user.pk)


def _device_model(normalised_code: str) -> type[TOTPDevice] | type[StaticDevice]:
    return TOTPDevice if normalised_code.isdigit() and len(normalised_code) == 6 else StaticDevice


def two_factor_check(*, user, code: str) -> Device | None:
    """The device that accepts the code: six digits from the app, or an unused recovery code (used
    up by this). Both kinds slow down after each wrong code (django-otp's throttling: 1, 2, 4 …
    seconds), so six digits cannot be guessed."""
    normalised = _code_normalise(code)
    with transaction.atomic():
        for device in _device_model(normalised).objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(normalised):
                return device
    return None


def two_factor_throttled(*, user, code: str) -> bool:
    """Whether wrong codes of this kind (app or recovery) have made the user wait before the next."""
    devices = _device_model(_code_normalise(code)).objects.devices_for_user(user, confirmed=True)
    return any(not device.verify_is_allowed()[0] for device in devices)


def second_step_passed(request: HttpRequest, device: Device) -> None:
    """The session passed the second step with this device (a code or a passkey). A new session key
    then: a key seen before is worth nothing."""
    request.session.cycle_key()
    otp_login(request, device)
    request.session.pop(CODE_NEEDED_SESSION_KEY, None)


def mark_code_needed(sender, request: HttpRequest | None = None, user=None, **kwargs) -> None:  # noqa: ARG001 -- a signal receiver's signature
    """user_logged_in: an account with two-factor sign-in must enter a code in this session."""
    if request is not None and hasattr(request, "session") and two_factor_enabled(user):
        request.session[CODE_NEEDED_SESSION_KEY] = True


def second_step_pending(request: HttpRequest) -> bool:
    """Signed in with the password, but still to enter a code or set one up: the layout shows such
    a session no staff navigation and no clinic notices."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(user, "is_verified") or user.is_verified():
        return False
    return bool(request.session.get(CODE_NEEDED_SESSION_KEY)) or two_factor_required(user)


def two_factor_gate(request: HttpRequest, view) -> str | None:
    """Where a signed-in member of staff must go before this view, or None to let them through.
    Public pages (education, the portal) and logging out are always open."""
    user = request.user
    if not user.is_authenticated or getattr(view, "prolo_public", False):
        return None
    # is_verified is set on request.user by django_otp's OTPMiddleware; Django's User type lacks it.
    if user.is_verified():  # type: ignore[attr-defined]
        return None
    name = request.resolver_match.view_name if request.resolver_match else ""
    if name in ALWAYS_OPEN:
        return None
    required = two_factor_required(user)
    if request.session.get(CODE_NEEDED_SESSION_KEY) or required:
        if two_factor_enabled(user):
            if name in PASSKEY_SIGN_IN:
                return None
            return f"{reverse('two_factor_verify')}?{urlencode({'next': request.get_full_path()})}"
        # No phone nor passkey (any more: the clinic admin may have removed them): nothing to enter.
        request.session.pop(CODE_NEEDED_SESSION_KEY, None)
    if required and name not in PASSKEY_SET_UP:
        return reverse("two_factor_setup")
    return None
