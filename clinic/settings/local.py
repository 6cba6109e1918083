"""Development: `make run` and a developer's shell. Only here may SECRET_KEY fall back to a
development value."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-not-secret-prolo-key-change-me-in-production")
# `make run`: the demo admin signs in with the password alone. Turn it on to try the set-up
# (ADMIN_2FA_REQUIRED=1 make run); production and the test suite require it.
ADMIN_2FA_REQUIRED = env.bool("ADMIN_2FA_REQUIRED", default=False)
