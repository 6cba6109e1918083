from .base import *  # noqa: F403
from .base import VAR_DIR, env

SECRET_KEY = "test-only-secret-key-not-used-anywhere-else-0123456789"
DEBUG = False
# Fast hashing for the suite; production keeps Argon2 (tests/clinic/test_settings.py).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "notifications.sms.LocmemSmsBackend"
SMS_FILE_PATH = str(VAR_DIR / "test-sms")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Each test process keeps its own cache: rate-limit tests clear it, and on CI REDIS_URL is the
# broker's Redis, which a cache.clear() must never empty.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests that store attachments point this at their own temporary folder (tests/treatments/clinical/test_attachments.py).
ATTACHMENTS_DIR = str(VAR_DIR / "test-attachments")
