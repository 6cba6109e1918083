"""Development: `make run` and a developer's shell. Only here may SECRET_KEY fall back to a
development value."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-not-secret-prolo-key-change-me-in-production")
