"""The embedded default, production-shaped (issue 14): `make run` serves with gunicorn, the links
in the messages it writes follow PORT, and the filesystem broker keeps every folder under var/."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import kombu
import pytest
from kombu.transport import filesystem

ROOT = Path(__file__).resolve().parents[2]


def _local_settings(*names: str) -> dict:
    """Settings as `make run` gets them: the local module, no Redis, no broker URL."""
    environ = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL", "CACHE_URL"}}
    environ["DJANGO_SETTINGS_MODULE"] = "clinic.settings.local"
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_filesystem_broker_keeps_every_folder_kombu_uses_under_var():
    got = _local_settings("CELERY_BROKER_URL", "CELERY_BROKER_TRANSPORT_OPTIONS", "VAR_DIR")
    assert got["CELERY_BROKER_URL"] == "filesystem://"
    options, var = got["CELERY_BROKER_TRANSPORT_OPTIONS"], Path(got["VAR_DIR"])
    # Every folder option the transport reads (data in/out, processed, control) is set, under var/.
    kombu_folders = {name for name in vars(filesystem.Channel) if name.endswith("_folder") or "folder_" in name}
    assert kombu_folders == {"data_folder_in", "data_folder_out", "processed_folder", "control_folder"}
    for name in kombu_folders:
        assert Path(options[name]).is_relative_to(var), name
        assert Path(options[name]).is_dir(), name


def test_binding_a_fanout_queue_writes_nothing_outside_var(tmp_path, monkeypatch):
    """What `celery inspect` and the worker's pidbox do: declare a fanout exchange and bind to it.
    Before, kombu wrote its control/ folder into the working directory (the repository root)."""
    options = _local_settings("CELERY_BROKER_TRANSPORT_OPTIONS")["CELERY_BROKER_TRANSPORT_OPTIONS"]
    monkeypatch.chdir(tmp_path)
    exchange = kombu.Exchange("prolo-test-probe", type="fanout")
    with kombu.Connection("filesystem://", transport_options=options) as connection:
        kombu.Queue("prolo-test-probe", exchange, channel=connection.default_channel).declare()
    control = Path(options["control_folder"])
    try:
        assert list(tmp_path.iterdir()) == []
        assert (control / "prolo-test-probe.exchange").exists()
    finally:
        (control / "prolo-test-probe.exchange").unlink(missing_ok=True)


def test_make_run_serves_with_gunicorn_on_the_port_it_was_given():
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    assert web.split()[1] == "gunicorn"
    assert "runserver" not in web
    assert "--bind 127.0.0.1:${WEB_PORT:-8000}" in web
    assert "--control-socket var/" in web  # gunicorn's default is a socket in the home directory


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_the_links_make_run_writes_follow_port():
    """Seeding plans the messages and the worker writes them: both get SITE_URL on PORT."""
    environ = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    dry = subprocess.run(
        ["make", "--dry-run", "run", "PORT=8123"], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    ).stdout
    seed = next(line for line in dry.splitlines() if "seed_demo" in line)
    honcho = next(line for line in dry.splitlines() if "honcho start" in line)
    for line in (seed, honcho):
        assert "SITE_URL=http://127.0.0.1:8123" in line, line
    assert "WEB_PORT=8123" in honcho
    # Someone who sets SITE_URL (a tunnel, a LAN address) keeps it.
    environ["SITE_URL"] = "https://demo.example.com"
    dry = subprocess.run(["make", "--dry-run", "run"], cwd=ROOT, env=environ, capture_output=True, text=True).stdout
    assert "SITE_URL=https://demo.example.com" in next(line for line in dry.splitlines() if "honcho start" in line)
