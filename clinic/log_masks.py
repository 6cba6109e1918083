"""Secret links never reach a log. A patient's portal link (/portal/<token>/, /p/<token>) and a
practitioner's calendar feed (/desk/feeds/<token>.ics) open real data to whoever holds them, and
logs are read by more people, kept longer and shipped further than the database. One pattern
masks them in Django's records (TokenMaskFilter, on every handler in settings.LOGGING) and in
gunicorn's access log (MaskedGunicornLogger, named by --logger-class in the Dockerfile)."""

import logging
import re

MASK = "<token>"
SECRET_PATHS = re.compile(r"(/portal/|/p/|/desk/feeds/|/messages/unsubscribe/)([^/\s?\"'#]+)")


def mask_tokens(text: str) -> str:
    return SECRET_PATHS.sub(lambda m: m.group(1) + MASK, text)


class TokenMaskFilter(logging.Filter):
    """Rewrites a record's message with every secret path masked (args folded in first, so a
    token passed as an argument is caught too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


try:  # gunicorn is installed in production images, not required to import this module
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = object


class MaskedGunicornLogger(_GunicornLogger):
    """gunicorn's access log with secret paths masked in the request line, path, query and referer."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f", "{raw_uri}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = mask_tokens(atoms[key])
        return atoms
