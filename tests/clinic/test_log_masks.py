"""Secret links never reach a log: Django's records and gunicorn's access log mask them."""

import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from clinic.log_masks import TokenMaskFilter, mask_tokens

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Zq3vL9xWm2Kp8sTn4RbY1a"


@pytest.mark.parametrize(
    "path",
    [f"/portal/{TOKEN}/", f"/portal/{TOKEN}/sessions/4/confirm/", f"/p/{TOKEN}", f"/desk/feeds/{TOKEN}.ics"],
)
def test_every_secret_path_is_masked(path):
    masked = mask_tokens(f'GET {path} HTTP/1.1" 404')

    assert TOKEN not in masked
    assert "<token>" in masked


def test_other_paths_are_left_alone():
    assert mask_tokens("GET /desk/patients/12/ HTTP/1.1") == "GET /desk/patients/12/ HTTP/1.1"


@pytest.mark.django_db
def test_djangos_not_found_warning_for_a_portal_link_is_masked_by_the_configured_handler(client):
    # The console handler from settings.LOGGING, writing into a buffer for the test.
    (handler,) = [h for h in logging.getLogger().handlers if any(isinstance(f, TokenMaskFilter) for f in h.filters)]
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    try:
        client.get(f"/portal/{TOKEN}/")
    finally:
        handler.setStream(old)

    written = buffer.getvalue()
    assert "Not Found: /portal/<token>/" in written
    assert TOKEN not in written


def test_no_handler_writes_djangos_records_without_the_mask():
    """Under DEBUG (make run) Django's own console handler printed every "Not Found:" a second
    time, the portal token in clear, beside the masked line of settings.LOGGING."""
    logger = logging.getLogger("django.request")
    while logger is not None:
        for handler in logger.handlers:
            # (pytest's own capture handlers aside: they are the test run's, not the app's)
            if isinstance(handler, logging.StreamHandler) and not type(handler).__module__.startswith("_pytest"):
                assert any(isinstance(f, TokenMaskFilter) for f in handler.filters), (logger.name, handler)
        logger = logger.parent if logger.propagate else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorns_access_log_masks_the_token(tmp_path):
    port, log = _free_port(), tmp_path / "access.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clinic.settings.test"}
    command = [sys.executable, "-m", "gunicorn", "clinic.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    command += ["--access-logfile", str(log), "--logger-class", "clinic.log_masks.MaskedGunicornLogger"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/p/{TOKEN}", timeout=5)
                break
            except urllib.error.HTTPError:
                break  # any answer at all: the request was served and logged
            except OSError:
                time.sleep(0.2)
        time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=10)

    written = log.read_text()
    assert "/p/<token>" in written
    assert TOKEN not in written
