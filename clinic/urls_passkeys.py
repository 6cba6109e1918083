"""django-otp-webauthn's ceremonies under the namespace its template tags reverse ("otp_webauthn"),
each behind a staff role; the two that finish a ceremony are ours (clinic/passkeys.py). Passkeys
are only a second step here: signing in with a passkey alone is off
(OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN), so no ceremony is open to anyone signed out."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn.views import BeginCredentialAuthenticationView, BeginCredentialRegistrationView

from . import roles
from .passkeys import PasskeyRegisterView, PasskeySignInView

staff_required = roles.role_required(*roles.ALL_ROLES)

app_name = "otp_webauthn"

urlpatterns = [
    path(
        "registration/begin/",
        staff_required(BeginCredentialRegistrationView.as_view()),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/", staff_required(PasskeyRegisterView.as_view()), name="credential-registration-complete"
    ),
    path(
        "authentication/begin/",
        staff_required(BeginCredentialAuthenticationView.as_view()),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        staff_required(PasskeySignInView.as_view()),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        staff_required(JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])),
        name="js-i18n-catalog",
    ),
]
