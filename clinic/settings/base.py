"""Settings shared by every environment. Everything that differs between machines comes from the
environment (see the table in README.md); nothing secret has a default here."""

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The proxies in front of the app (addresses or CIDR blocks). Only a request from one of them has
# its X-Forwarded-For believed, and only as far as they wrote it (clinic/client_address.py); empty
# means no proxy: the client is REMOTE_ADDR.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or CIDR block.") from None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    # Named for the admin index by clinic/apps_vendor.py (not "AXES", "OTP_TOTP", "OTP_STATIC").
    "clinic.apps_vendor.AxesConfig",
    "django_otp",
    "clinic.apps_vendor.TwoFactorAppsConfig",
    "clinic.apps_vendor.TwoFactorCodesConfig",
    "clinic.apps_vendor.PasskeysConfig",
    "clinic",
    "patients",
    "notifications",
    "treatments",
    "education",
    # Gapless invoice and credit-note numbers (billing/README.md, "Numbers").
    "sequences",
    "billing",
]

MIDDLEWARE = [
    # Before anything reads request.is_secure(): X-Forwarded-Proto only from TRUSTED_PROXIES.
    "clinic.middleware.TrustedProxyHeadersMiddleware",
    "clinic.middleware.BodySizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "clinic.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise, so static files keep their long cache lifetimes.
    "clinic.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "clinic.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "clinic.middleware.AdminInputMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"
ASGI_APPLICATION = "clinic.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.clinic",
                # The red-flag count on the Requests link (a string: clinic never imports treatments).
                "treatments.inbox.context_processors.callbacks",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'prolo.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; the timeout makes writers queue
    # instead of failing with "database is locked". synchronous=NORMAL is safe with WAL (a power
    # cut may lose the last commits, never corrupt the file) and saves an fsync per request, which
    # matters because every staff request renews its session row (the idle timeout).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Staff sessions end after this many idle minutes: every request renews the cookie.
SESSION_COOKIE_AGE = env.int("STAFF_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: lock a username + address after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The same client address as the rate limits and the audit log (TRUSTED_PROXIES), an IPv6 one
# counted by its /64; the account's hourly budget and the device cookies (clinic/signin_guard.py).
AXES_CLIENT_IP_CALLABLE = "clinic.signin_guard.lockout_address"
AXES_HANDLER = "clinic.signin_guard.GuardedAxesHandler"
SIGNIN_ACCOUNT_HOURLY_LIMIT = env.int("SIGNIN_ACCOUNT_HOURLY_LIMIT", default=100)
# A failure during a lockout is refused unchecked and does not restart the cool-off.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "clinic.client_address.client_username"
AXES_LOCKOUT_CALLABLE = "clinic.views.locked_out"
AXES_RESET_ON_SUCCESS = True
# Every failure is kept (with whether it fell in a lockout) so the clinic admin is told of
# lockouts after their cool-off has ended (clinic/lockouts.py, the notice in the layout).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False

# Two-factor sign-in (clinic/two_factor.py): the clinic admin must use it; others may, or must
# when STAFF_2FA_REQUIRED is on (on by default in production).
ADMIN_2FA_REQUIRED = env.bool("ADMIN_2FA_REQUIRED", default=True)
STAFF_2FA_REQUIRED = env.bool("STAFF_2FA_REQUIRED", default=False)
# The clinic admin may remove a colleague's lost phone in setup, never read its secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# The one zone the clinic lives in is Django's own: every page, form, the admin and the template
# filters read and write clinic-local time with no per-view switch, and storage stays UTC (USE_TZ).
# clinic/localtime.py turns a local date and time into UTC for the code that plans.
TIME_ZONE = env.str("CLINIC_TIME_ZONE", default="America/Chicago")
CLINIC_TIME_ZONE = TIME_ZONE  # the env var's name, kept so code and tests can say which zone they mean
# The clinic's time grid: every start the planner, the desk's "next free slot" and online booking
# propose sits on it, counted from local midnight (treatments/scheduling/availability.py).
SCHEDULING_GRID_MINUTES = env.int("SCHEDULING_GRID_MINUTES", default=5)
# The clinic's country (ISO 3166 code): its phone numbers are shown in its national format, others
# in the international one.
CLINIC_COUNTRY = env.str("CLINIC_COUNTRY", default="US").upper()
# The clinic's one currency (ISO 4217 code). Money is stored as integer minor units of it (cents,
# pence) and shown with Babel in the clinic's locale (LANGUAGE_CODE + CLINIC_COUNTRY): billing/money.py.
CLINIC_CURRENCY = env.str("CLINIC_CURRENCY", default="USD").upper()
# Good Faith Estimates for self-pay patients (the US No Surprises Act; billing/services/documents.py):
# on by default in the US, off elsewhere. A clinic outside the US (or one that never bills self-pay)
# turns it off.
BILLING_GOOD_FAITH_ESTIMATES = env.bool("BILLING_GOOD_FAITH_ESTIMATES", default=CLINIC_COUNTRY == "US")
# The outbox asks this planner for each message's facts at send time (notifications/facts.py):
# billing answers for payment receipts and passes the rest to treatments' planner.
MESSAGES_FACTS_PROVIDER = "billing.messaging.message_facts"
# Card payments online through Stripe (billing/stripe_gateway.py). Without the secret key there is
# no card gateway: no "Pay now", and online card payments cannot be refunded. The webhook secret
# verifies POST /billing/stripe/webhook/; the API base is Stripe's unless a test points it elsewhere.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
# Phone numbers typed without a country code are read as numbers of this region (ISO 3166 code).
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default=CLINIC_COUNTRY)
# Online booking's one-time codes by text (treatments/booking): only to mobile numbers of these
# countries, at most SMS_CODES_PER_NUMBER_HOUR to one number and SMS_CODES_PER_HOUR in all (reaching
# that ceiling logs an error, the alert). ONLINE_HOLD_DAY_SHARE: the most of a day's free online
# times that unverified visitors may hold at once.
SMS_CODE_COUNTRIES = [c.upper() for c in env.list("SMS_CODE_COUNTRIES", default=[CLINIC_COUNTRY])]
SMS_CODES_PER_NUMBER_HOUR = env.int("SMS_CODES_PER_NUMBER_HOUR", default=3)
SMS_CODES_PER_HOUR = env.int("SMS_CODES_PER_HOUR", default=100)
ONLINE_HOLD_DAY_SHARE = env.float("ONLINE_HOLD_DAY_SHARE", default=0.25)

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Cache: rate limits (portal link guessing, the consultation form) must be shared by every web
# process in production, so Redis when given; one process's memory otherwise.
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache_url("CACHE_URL")}
elif env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
            "KEY_PREFIX": "prolo",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Attachments (imaging reports, referral letters, photos): stored outside the static files and
# never served by URL, only through the access-checked download view (treatments.clinical).
ATTACHMENTS_DIR = env.path("ATTACHMENTS_DIR", default=str(VAR_DIR / "attachments"))
ATTACHMENT_MAX_MB = env.int("ATTACHMENT_MAX_MB", default=10)
# The largest request body the app reads (clinic.middleware.BodySizeMiddleware answers 413 above
# it, before any of it is read): the largest attachment plus its form. The Caddyfile caps the same.
REQUEST_BODY_MAX_BYTES = (ATTACHMENT_MAX_MB + 2) * 1024 * 1024

# E-mail: files under var/mail unless EMAIL_URL names a real server (smtp://user:pass@host:587).
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Prolo Clinic <clinic@localhost>")
# The public address patients' links point at (portal, unsubscribe, calendar).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")


def _passkey_site(site_url: str) -> tuple[str, str]:
    """The relying party's id (the host passkeys are bound to) and the origin they are used from,
    from SITE_URL. Passkeys need a host name: an address such as 127.0.0.1 becomes localhost (a
    developer uses http://localhost:8000 to try them)."""
    parts = urlsplit(site_url)
    host = parts.hostname or "localhost"
    try:
        ipaddress.ip_address(host)
        host = "localhost"
    except ValueError:
        pass
    port = f":{parts.port}" if parts.port else ""
    return host, f"{parts.scheme}://{host}{port}"


# Passkeys (WebAuthn, django-otp-webauthn) as a second factor beside the authenticator app
# (clinic/passkeys.py). Only as a second factor: the password step and its limits always come first.
_PASSKEY_RP_ID, _PASSKEY_ORIGIN = _passkey_site(SITE_URL)
OTP_WEBAUTHN_RP_ID = env.str("PASSKEY_RP_ID", default=_PASSKEY_RP_ID)
OTP_WEBAUTHN_RP_NAME_CALLABLE = "clinic.passkeys.relying_party_name"
OTP_WEBAUTHN_ALLOWED_ORIGINS = [_PASSKEY_ORIGIN]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# How long the unsubscribe link at the foot of a message works (notifications/links.py); after
# that its page says how else to stop the messages.
UNSUBSCRIBE_LINK_DAYS = env.int("UNSUBSCRIBE_LINK_DAYS", default=60)
if UNSUBSCRIBE_LINK_DAYS < 1:
    raise ImproperlyConfigured("UNSUBSCRIBE_LINK_DAYS must be 1 or more")

# SMS: a file backend by default; see notifications/channels.
SMS_BACKEND = env.str("SMS_BACKEND", default="notifications.sms.FileSmsBackend")
SMS_FILE_PATH = str(VAR_DIR / "sms")
# Twilio (notifications.sms.TwilioSmsBackend and the inbound webhook): secrets only from the
# environment. The auth token also signs Twilio's calls to /sms/inbound/ (X-Twilio-Signature).
SMS_API_URL = env.str("SMS_API_URL", default="https://api.twilio.com")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
SMS_FROM = env.str("SMS_FROM", default="")
# The outbox sweep's lanes: each has one message with the provider at a time and records its
# outcome as soon as the provider answers, so a killed worker re-sends at most one text per lane.
MESSAGES_SWEEP_CONCURRENCY = env.int("MESSAGES_SWEEP_CONCURRENCY", default=1)

# Celery: Redis when given, otherwise the filesystem broker under var/ (no server needed).
CELERY_FS_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or env.str("REDIS_URL", default="")
if not CELERY_BROKER_URL:
    # The embedded default must work on a fresh clone, even before `make` has made var/. Every
    # folder kombu's filesystem transport uses is named, so none lands in the working directory
    # (control_folder holds the exchange bindings of `celery inspect` and the worker's pidbox).
    for _folder in ("queue", "processed", "control"):
        (CELERY_FS_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FS_DIR / "queue"),
        "data_folder_out": str(CELERY_FS_DIR / "queue"),
        "processed_folder": str(CELERY_FS_DIR / "processed"),
        "control_folder": str(CELERY_FS_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery keeps its own clock in UTC (enable_utc, its default): ETAs and the beat file do not jump on
# a daylight-saving change. Pinned here because Celery would otherwise take Django's TIME_ZONE,
# which is now the clinic's. The only schedule is an interval; a task that needs the clinic's wall
# clock (the quiet hours, a reminder's send time) works it out with clinic.localtime.
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    # The outbox sweep (notifications/delivery.py). A sweep older than its minute is dropped: the
    # next one sends the same rows, so a backlog of sweeps after an outage is pointless.
    "messages-sweep": {"task": "notifications.sweep", "schedule": 60.0, "options": {"expires": 55}},
    # Series packages: tell patients before a package expires, and expire it (billing/tasks.py).
    "packages-expiry": {"task": "billing.packages_expiry", "schedule": 3600.0, "options": {"expires": 3500}},
    # Online bookings held while a deposit is paid: past their time, Stripe is asked before a slot
    # is given back (paid: booked) (billing/tasks.py, treatments/booking/services/confirm.py).
    "online-paying-holds": {"task": "billing.online_paying_holds", "schedule": 300.0, "options": {"expires": 290}},
    "estimates-sweep": {"task": "billing.estimates_sweep", "schedule": 3600.0, "options": {"expires": 3500}},
    # Reminders of what patients owe, on the billing policy's schedule (0 days = off): at most one
    # per patient per that many days, whatever hour the sweep runs (billing/services/accounts.py).
    "balance-reminders": {"task": "billing.balance_reminders", "schedule": 3600.0, "options": {"expires": 3500}},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Portal, feed and unsubscribe links are secrets: masked in every record (clinic/log_masks.py).
    "filters": {"mask_tokens": {"()": "clinic.log_masks.TokenMaskFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_tokens"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django's own console handler (DEBUG only) would print each of its records a second time,
    # unmasked: its records go to the root's masked handler alone. (No ADMINS: no mail handler.)
    "loggers": {"axes": {"level": "WARNING"}, "django": {"handlers": [], "level": "INFO", "propagate": True}},
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
