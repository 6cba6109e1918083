"""The third-party apps the clinic admin meets on the admin index, named in words."""

# The admin index names an app by its verbose name, or else by its label in capitals ("AXES",
# "OTP_TOTP"). A module of their own: clinic/apps.py must hold one AppConfig for Django to pick.
from axes.apps import AppConfig as _AxesConfig
from django_otp.plugins.otp_static.apps import DefaultConfig as _StaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as _TotpConfig
from django_otp_webauthn.apps import OtpWebauthnConfig as _PasskeysConfig


class AxesConfig(_AxesConfig):
    verbose_name = "Sign-in lockouts"


class TwoFactorAppsConfig(_TotpConfig):
    verbose_name = "Two-factor: authenticator apps"


class TwoFactorCodesConfig(_StaticConfig):
    verbose_name = "Two-factor: recovery codes"


class PasskeysConfig(_PasskeysConfig):
    verbose_name = "Two-factor: passkeys"
