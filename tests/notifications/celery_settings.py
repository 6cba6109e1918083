"""Settings for the Celery worker and beat processes the integration tests start: the project's
production-shaped settings (clinic.settings.local, from the environment: DATABASE_URL names the
live test database, REDIS_URL the broker), with mail written to a folder the test reads and a
queue of the test's own so parallel test runs never take each other's tasks."""

import os

from clinic.settings.local import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["PROLO_TEST_MAIL_DIR"]
# Texts as files beside the mail (FileSmsBackend), never in the project's var/sms.
SMS_FILE_PATH = os.path.join(os.environ["PROLO_TEST_MAIL_DIR"], os.pardir, "sms")
# The fault tests shorten the lease so that a second worker reclaims a dead one's rows in seconds.
MESSAGES_LEASE_SECONDS = int(os.environ.get("PROLO_TEST_LEASE", "300"))
CELERY_TASK_DEFAULT_QUEUE = os.environ["PROLO_TEST_QUEUE"]
CELERY_BEAT_SCHEDULE_FILENAME = os.path.join(os.environ["PROLO_TEST_MAIL_DIR"], "..", "celerybeat-schedule")
# Beat's first sweep comes one interval after it starts; a short one keeps the test short.
CELERY_BEAT_SCHEDULE = {
    "messages-sweep": {"task": "notifications.sweep", "schedule": float(os.environ.get("PROLO_TEST_BEAT", "60"))}
}
