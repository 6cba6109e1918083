"""The HTTP stage of `make bench`: the site served the way production serves it — gunicorn, the
production settings, PostgreSQL — under load from wrk (64 connections, 10 s a page), each page's
requests per second beside the framework floor served by the same gunicorn in the same run.

It brings what it needs and says so:
- wrk, from Debian's packages (apt-get) when it is missing;
- a PostgreSQL database: DATABASE_URL when it names one (the in-process stage has seeded it),
  else BENCH_POSTGRES_URL, by default postgres://postgres@127.0.0.1:5432/prolo_bench_<scale>,
  created if missing and seeded like the in-process stage's. No server is started: when none
  answers, the stage is skipped with the reason;
- gunicorn with `bench.settings_http` (the production settings, plus the floor's URL) on
  127.0.0.1 and a free port (or BENCH_HTTP_PORT), two workers per core (or BENCH_HTTP_WORKERS),
  stopped at the end; the desks' sessions have entered their second factor, as production asks
  of staff.

Every figure is a ratio to the floor's requests per second in the same run; a page "fails" on any
answer other than 200, any socket error and any timeout (wrk's, 2 s unless BENCH_HTTP_TIMEOUT says
otherwise: with 64 connections on four workers a request waits its turn behind the others, about
64 / (requests per second) seconds, so a page under 32 requests/s times out at 2 s). Run alone:
`python -m bench.http` (uses BENCH_SCALE and DATABASE_URL like make bench)."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 64
THREADS = 2
WARMUP_SECONDS = 3
# The "afresh" row asks each busy day once: its measure lasts as long as its days last at this rate.
AFRESH_CEILING = 150
SESSIONS = 16  # the desk's load comes from several signed-in desks, not one session row
LOG = ROOT / "var" / "bench-gunicorn.log"


@dataclass
class HttpResult:
    name: str
    requests_per_second: float
    requests: int
    bad_status: int  # answers other than 200
    socket_errors: int  # connect, read and write errors
    timeouts: int
    p50_ms: float
    p99_ms: float
    repeats: int = 0  # requests for a page already asked in the run (the "afresh" row must have none)

    @property
    def failed(self) -> bool:
        return bool(self.bad_status or self.socket_errors or self.timeouts or self.repeats)


def say(text: str) -> None:
    print(f"[http] {text}", flush=True)


# --- what the stage needs -------------------------------------------------------------------------


def ensure_wrk() -> tuple[str | None, str]:
    """wrk's path, or None and why not."""
    found = shutil.which("wrk")
    if found:
        return found, ""
    if not shutil.which("apt-get"):
        return None, "wrk is not installed and there is no apt-get to install it (install wrk)"
    say("wrk is missing: installing it from Debian's packages (apt-get install -y wrk)")
    sudo = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
    if sudo is None:
        return None, "wrk is not installed and apt-get needs root (install wrk)"
    quiet: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    if subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=False, **quiet).returncode != 0:
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=False, **quiet)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=False, **quiet)
    found = shutil.which("wrk")
    return (found, "") if found else (None, "apt-get could not install wrk")


def postgres_url(scale: str) -> str:
    current = os.environ.get("DATABASE_URL", "")
    if current.startswith(("postgres://", "postgresql://")):
        return current
    return os.environ.get("BENCH_POSTGRES_URL", f"postgres://postgres@127.0.0.1:5432/prolo_bench_{scale}")


def ensure_database(url: str) -> str:
    """Create the database when the server answers and it is missing; '' or why it cannot."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    try:
        connection = psycopg2.connect(server, connect_timeout=3)
    except psycopg2.OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"PostgreSQL does not answer at {parts.hostname}:{parts.port or 5432} ({first_line})"
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                say(f"creating the bench database {name}")
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()
    return ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(url: str, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings_http",
            "DATABASE_URL": url,
            "SECRET_KEY": secret,
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


# --- preparing the database (in a child process bound to it) ------------------------------------


def prepare_in_child(url: str, secret: str, scale: str) -> dict:
    """Migrate and seed the database like the in-process stage, and sign in the desks; runs in a
    child process, as this one's Django may be bound to SQLite."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.http", "prepare", scale],
        cwd=ROOT,
        env=server_env(url, secret),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"preparing the database failed:\n{result.stdout[-2000:]}{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _prepare(scale: str) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.bench_calendar import PATIENTS, _ensure_appointments, _ensure_patients, busy_day_and_search, busy_days
    from bench.core import seed, sign_in

    seed(scale)
    _ensure_patients(PATIENTS)
    _ensure_appointments(200_000)
    day, query = busy_day_and_search()
    desk = get_user_model().objects.get(username="frontdesk")
    cookies = []
    for _ in range(SESSIONS):
        client = Client()
        sign_in(client, desk)  # with the second factor, as production asks of staff
        cookies.append(client.cookies["sessionid"].value)
    days = [d.isoformat() for d in busy_days() if d != day]
    from django.core.cache import cache

    cache.clear()  # no grid kept from an earlier run: the run's "built afresh" days are built
    print(json.dumps({"day": day.isoformat(), "query": query, "cookies": cookies, "days": days}))


# --- serving and loading ------------------------------------------------------------------------


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    LOG.parent.mkdir(exist_ok=True)
    log = LOG.open("w")
    command = [sys.executable, "-m", "gunicorn", "clinic.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--graceful-timeout", "5", "--no-control-socket"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start-up; see {LOG}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError(f"gunicorn did not answer /healthz within 60 s; see {LOG}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


HEADERS = {"X-Forwarded-Proto": "https"}  # as the TLS proxy in front of production says


def check(url: str, cookie: str | None, marker: str) -> None:
    """One request before the load: the page answers 200 with what it should show."""
    headers = dict(HEADERS)
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:  # redirects are followed: a 302 ends elsewhere
        body = response.read().decode()
        if response.status != 200 or response.url != url or marker not in body:
            raise RuntimeError(f"{url} did not answer the page itself (ended at {response.url}, {response.status})")


LUA = """
local cookies = {%(cookies)s}
-- With paths, each request asks the next of them (the threads interleave, from the offset given
-- after --), so a page asked for is never one asked for before in the run.
local paths = {%(paths)s}
local n = 0
local first = 0
bad = 0
thread_number = 0
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads - 1)
end
function init(args) first = tonumber(args[1] or "0") end
request = function()
  n = n + 1
  local headers = {["X-Forwarded-Proto"] = "https"}
  if #cookies > 0 then headers["Cookie"] = "sessionid=" .. cookies[(n %% #cookies) + 1] end
  local path = nil
  if #paths > 0 then path = paths[((first + n * %(threads)d + thread_number) %% #paths) + 1] end
  return wrk.format("GET", path, headers)
end
response = function(status, headers, body) if status ~= 200 then bad = bad + 1 end end
done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write(string.format("BENCH requests=%%d bad=%%d connect=%%d read=%%d write=%%d timeout=%%d " ..
    "duration_us=%%d p50_us=%%d p99_us=%%d\\n", summary.requests, total, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
"""

_LINE = re.compile(r"^BENCH (.*)$", re.MULTILINE)


def timeout() -> int:
    """wrk's timeout in seconds (BENCH_HTTP_TIMEOUT, default 2)."""
    return int(os.environ.get("BENCH_HTTP_TIMEOUT") or 2)


def parse_wrk(output: str, name: str) -> HttpResult:
    """The line our Lua `done` prints, as a result."""
    match = _LINE.search(output)
    if match is None:
        raise RuntimeError(f"wrk printed no summary for {name}:\n{output[-2000:]}")
    values = {key: int(value) for key, value in (pair.split("=") for pair in match.group(1).split())}
    seconds = values["duration_us"] / 1e6
    return HttpResult(
        name=name,
        requests_per_second=values["requests"] / seconds if seconds else 0.0,
        requests=values["requests"],
        bad_status=values["bad"],
        socket_errors=values["connect"] + values["read"] + values["write"],
        timeouts=values["timeout"],
        p50_ms=values["p50_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
    )


def load(
    wrk: str, name: str, url: str, cookies: list[str], seconds: int, paths: Sequence[str] = (), warm_url: str = ""
) -> HttpResult:
    """`paths`: ask each in turn, each once (else the result counts the repeats and fails): the
    warm-up asks `warm_url` (a page of the same kind that is not among them), the measure the
    paths from the first. Without paths, `url` for both."""
    values = {"cookies": ", ".join(json.dumps(c) for c in cookies), "threads": THREADS}
    values["paths"] = ", ".join(json.dumps(p) for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % values)
    bare = {"cookies": values["cookies"], "threads": THREADS, "paths": ""}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as warm_script:
        warm_script.write(LUA % bare)
    try:
        base = [wrk, "-t", str(THREADS), "-c", str(CONNECTIONS), "--timeout", f"{timeout()}s"]
        warmup = [*base, "-s", warm_script.name, "-d", f"{WARMUP_SECONDS}s", warm_url or url]
        subprocess.run(warmup, capture_output=True, check=False)
        measure = [*base, "-s", script.name, "-d", f"{seconds}s", url, "--", "0"]
        done = subprocess.run(measure, capture_output=True, text=True, check=False)
    finally:
        os.unlink(script.name)
        os.unlink(warm_script.name)
    result = parse_wrk(done.stdout + done.stderr, name)
    if paths:
        result.repeats = max(0, result.requests - len(paths))
    return result


def afresh_seconds(days: int, seconds: int) -> int:
    """How long the "afresh" row may ask without asking a day twice: at most `seconds`, and its
    days at AFRESH_CEILING requests a second (above the 148 a built page has served here on two
    cores; a day asked twice fails the row, so a faster page shows as a failure, never a kept one)."""
    return max(1, min(seconds, days // AFRESH_CEILING))


# --- the stage ----------------------------------------------------------------------------------


@dataclass
class Stage:
    results: list[HttpResult]
    skipped: str = ""
    workers: int = 0
    connections: int = CONNECTIONS
    seconds: int = 0
    postgres_version: str = ""
    loads: tuple[str, str] = ("", "")  # the load average when the stage started and ended


def run_stage(scale: str) -> Stage:
    seconds = int(os.environ.get("BENCH_HTTP_SECONDS", "10"))
    wrk, why = ensure_wrk()
    if wrk is None:
        return Stage([], skipped=why)
    url = postgres_url(scale)
    why = ensure_database(url)
    if why:
        return Stage([], skipped=why)
    secret = secrets.token_urlsafe(50)
    say(f"migrating and seeding {urlsplit(url).path.lstrip('/')} (scale {scale}; seeded once, then reused)")
    prepared = prepare_in_child(url, secret, scale)
    workers = int(os.environ.get("BENCH_HTTP_WORKERS") or 0) or 2 * (os.cpu_count() or 1)
    port = int(os.environ.get("BENCH_HTTP_PORT") or 0) or free_port()
    say(f"starting gunicorn: production settings, {workers} workers, on 127.0.0.1:{port} (log: {LOG})")
    server = start_gunicorn(server_env(url, secret), port, workers)
    base = f"http://127.0.0.1:{port}"
    desks, day, query = prepared["cookies"], prepared["day"], prepared["query"]
    # A different busy day each request, each asked once (the warm-up asks the kept busy day): no
    # kept grid can answer (built afresh, as after a change). The data holds some 600 busy days, so
    # the row lasts as long as they do (afresh_seconds) and fails if one was asked twice.
    fresh = [f"/desk/?date={d}" for d in prepared["days"]]
    fresh_seconds = afresh_seconds(len(fresh), seconds)
    kept = f"/desk/?date={day}"
    pages = [
        ("framework floor (bare view, 1 query)", "/__bench__/floor/", desks, "floor", [], seconds),
        (f"day page, busy day ({day})", kept, desks, "cal-appt", [], seconds),
        (
            f"day page built afresh: a different busy day each request ({len(fresh)} days, {fresh_seconds} s)",
            fresh[0] if fresh else kept,
            desks,
            "cal-appt",
            fresh,
            fresh_seconds,
        ),
        (f"patient search page ({query!r})", f"/desk/patients/?q={query}", desks, "found", [], seconds),
        ("education index (anonymous)", "/education/", [], "<h1", [], seconds),
        ("framework floor, measured again at the end", "/__bench__/floor/", desks, "floor", [], seconds),
    ]
    from bench.core import load_average

    load_at_start = load_average()
    results = []
    try:
        for name, path, cookies, marker, paths, duration in pages:
            # The afresh row's days are asked once each, by the measure: its check asks the kept day.
            warm = base + kept if paths else ""
            check(warm or base + path, cookies[0] if cookies else None, marker)
            say(f"wrk: {CONNECTIONS} connections for {duration} s on {path}{' and the next days' if paths else ''}")
            results.append(load(wrk, name, base + path, cookies, duration, paths, warm_url=warm))
    finally:
        stop(server)
    return Stage(
        results,
        workers=workers,
        seconds=seconds,
        postgres_version=postgres_version(url),
        loads=(load_at_start, load_average()),
    )


def postgres_version(url: str) -> str:
    import psycopg2

    try:
        with psycopg2.connect(url, connect_timeout=3) as connection, connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0].split()[0]
    except psycopg2.Error:
        return ""


def floor_rps(results: list[HttpResult]) -> float:
    """The floor's requests per second: the better of its two runs (the ratios are then the
    stricter ones)."""
    return max((r.requests_per_second for r in results if r.name.startswith("framework floor")), default=0.0)


def print_table(stage: Stage) -> None:
    if stage.skipped:
        print(f"\nHTTP stage skipped: {stage.skipped}")
        return
    floor = floor_rps(stage.results)
    print(
        f"\nHTTP: gunicorn ({stage.workers} workers, production settings) on PostgreSQL {stage.postgres_version}, "
        f"wrk {CONNECTIONS} connections, {stage.seconds} s a page, timeout {timeout()} s; "
        f"load average {stage.loads[0]} at the start, "
        f"{stage.loads[1]} at the end\n"
    )
    width = max(len(r.name) for r in stage.results)
    heads = ("req/s", "% floor", "p50 ms", "p99 ms", "non-200", "errors", "timeouts", "repeats")
    print(f"{'page':<{width}}  " + "  ".join(f"{h:>8}" for h in heads))
    print("-" * (width + 82))
    for r in stage.results:
        ratio = r.requests_per_second / floor if floor else 0.0
        print(
            f"{r.name:<{width}}  {r.requests_per_second:8.1f}  {ratio:8.0%}  {r.p50_ms:8.1f}  {r.p99_ms:8.1f}  "
            f"{r.bad_status:8d}  {r.socket_errors:8d}  {r.timeouts:8d}  {r.repeats:8d}"
        )


def main() -> int:
    if sys.argv[1:2] == ["prepare"]:
        _prepare(sys.argv[2])
        return 0
    stage = run_stage(os.environ.get("BENCH_SCALE", "small"))
    print_table(stage)
    return 1 if any(r.failed for r in stage.results) else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
