"""The HTTP stage of `make bench` serves the production settings as they are, plus the bench
URLconf so the framework floor is served by the same gunicorn beside the site."""

from clinic.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
