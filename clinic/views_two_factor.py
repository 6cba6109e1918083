"""Two-factor sign-in pages: the second step of logging in, setting up an authenticator app, and
one's own page to see, renew or turn it off. Every page needs a staff role; the policy of who must
pass which step first is `clinic.two_factor.two_factor_gate`."""

from django import forms
from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from . import roles
from .models import ClinicSettings
from .passkeys import passkey_remove, passkeys_of
from .two_factor import (
    TwoFactorError,
    app_enabled,
    recovery_codes_left,
    recovery_codes_renew,
    second_step_passed,
    totp_key_new,
    totp_key_text,
    totp_qr_data_uri,
    totp_uri,
    two_factor_check,
    two_factor_disable,
    two_factor_enable,
    two_factor_enabled,
    two_factor_required,
    two_factor_throttled,
)

staff_required = roles.role_required(*roles.ALL_ROLES)

# The secret being set up travels in the form, signed, so opening the page stores nothing.
SETUP_SALT = "prolo.two-factor.setup"
SETUP_MAX_AGE = 15 * 60


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        help_text=gettext_lazy("The 6 digits your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )


class SetupForm(forms.Form):
    setup = forms.CharField(widget=forms.HiddenInput, max_length=500)
    code = forms.CharField(
        label=gettext_lazy("Code from the app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _setup_key(request: HttpRequest, signed: str) -> str | None:
    try:
        data = signing.loads(signed, salt=SETUP_SALT, max_age=SETUP_MAX_AGE)
    except signing.BadSignature:
        return None
    return data["key"] if data.get("user") == request.user.pk else None


def _setup_page(request: HttpRequest, form: SetupForm, key: str, status: int = 200) -> HttpResponse:
    uri = totp_uri(key=key, username=request.user.get_username(), issuer=ClinicSettings.load().name)
    context = {
        "form": form,
        "key_text": totp_key_text(key),
        "qr": totp_qr_data_uri(uri),
        "required": two_factor_required(request.user),
        "replacing": app_enabled(request.user),
        "has_passkeys": passkeys_of(request.user).exists(),
        "title": _("Set up two-factor sign-in"),
    }
    return render(request, "registration/two_factor_setup.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    # is_verified is set on request.user by django_otp's OTPMiddleware; Django's user types lack it.
    if two_factor_enabled(user) and not user.is_verified():  # type: ignore[union-attr]
        return redirect("two_factor_verify")  # a new phone only after the old one (or a recovery code)
    if request.method == "GET":
        new_key = totp_key_new()
        signed = signing.dumps({"key": new_key, "user": user.pk}, salt=SETUP_SALT)
        return _setup_page(request, SetupForm(initial={"setup": signed}), new_key)
    form = SetupForm(request.POST)
    key = _setup_key(request, request.POST.get("setup", ""))
    if key is None:
        messages.error(request, _("That set-up page was too old. Scan this new code and try again."))
        return redirect("two_factor_setup")
    if not form.is_valid():
        return _setup_page(request, form, key, status=400)
    try:
        enabled = two_factor_enable(user=user, key=key, code=form.cleaned_data["code"], now=timezone.now())
    except TwoFactorError as exc:
        messages.error(request, str(exc))
        return redirect("two_factor")
    if enabled is None:
        form.add_error(
            "code", _("That code does not match. Check that the phone's clock is right and enter the newest code.")
        )
        return _setup_page(request, form, key, status=400)
    device, codes = enabled
    second_step_passed(request, device)
    return render(request, "registration/two_factor_codes.html", {"codes": codes, "first_time": True})


@staff_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    # is_verified is set on request.user by django_otp's OTPMiddleware; Django's user types lack it.
    if request.user.is_verified() or not two_factor_enabled(request.user):  # type: ignore[union-attr]
        return redirect(next_url)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        throttled = two_factor_throttled(user=request.user, code=code)
        device = None if throttled else two_factor_check(user=request.user, code=code)
        if device is not None:
            second_step_passed(request, device)
            if isinstance(device, StaticDevice):
                left = recovery_codes_left(request.user)
                messages.warning(
                    request,
                    _("You used a recovery code; %(left)d are left. Make new ones on your account page.")
                    % {"left": left},
                )
            return redirect(next_url)
        if throttled:
            form.add_error("code", _("Too many wrong codes. Wait a minute, then enter the newest code."))
        else:
            form.add_error("code", _("That code is not right. Enter the newest code from your app."))
    status = 400 if form.errors else 200
    context = {
        "form": form,
        "next": next_url,
        "has_app": app_enabled(request.user),
        "has_passkeys": passkeys_of(request.user).exists(),
    }
    return render(request, "registration/two_factor_verify.html", context, status=status)


@staff_required
@require_http_methods(["GET"])
def manage(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "enabled": two_factor_enabled(user),
        "app_enabled": app_enabled(user),
        "passkeys": list(passkeys_of(user)),
        "required": two_factor_required(user),
        "codes_left": recovery_codes_left(user),
        "form": CodeForm(),
    }
    return render(request, "registration/two_factor.html", context)


@staff_required
@require_POST
def passkey_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove one of one's own passkeys (another person's is a 404)."""
    try:
        passkey_remove(user=request.user, pk=pk)
    except TwoFactorError as exc:
        messages.error(request, str(exc))
        return redirect("two_factor")
    messages.success(request, _("The passkey is removed: it no longer signs you in."))
    return redirect("two_factor")


@staff_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    user = request.user
    if two_factor_required(user):
        messages.error(
            request, _("Clinic admins must keep two-factor sign-in on. To use a new phone, set it up again.")
        )
        return redirect("two_factor")
    form = CodeForm(request.POST)
    if not form.is_valid() or two_factor_check(user=user, code=form.cleaned_data["code"]) is None:
        messages.error(request, _("That code is not right: two-factor sign-in is still on."))
        return redirect("two_factor")
    two_factor_disable(user=user)
    messages.success(request, _("Two-factor sign-in is off. You sign in with your password alone."))
    return redirect("two_factor")


@staff_required
@require_POST
def codes_renew(request: HttpRequest) -> HttpResponse:
    if not app_enabled(request.user):
        return redirect("two_factor")
    try:
        codes = recovery_codes_renew(user=request.user)
    except TwoFactorError as exc:
        messages.error(request, str(exc))
        return redirect("two_factor")
    return render(request, "registration/two_factor_codes.html", {"codes": codes, "first_time": False})
