"""`make bench` (python -m bench): set up Django and a seeded database, measure the framework floor,
run every @benchmark in bench/bench_*.py and print one table.

Then the HTTP stage (bench/http.py): gunicorn with the production settings on PostgreSQL under
wrk, each page's requests per second beside the floor's; and the whole run is written to
docs/benchmarks.md with the machine it ran on.

Environment: DATABASE_URL (default: SQLite at var/bench.sqlite3; a postgres:// URL works the same),
BENCH_SCALE=small|large (default small; large seeds 50,000 patients and 200,000 appointments once),
BENCH_ONLY=<substring> to run only benchmarks whose function name contains it (the HTTP stage and
docs/benchmarks.md are then left out unless BENCH_HTTP=1), BENCH_HTTP=0 to leave the HTTP stage
out, BENCH_HTTP_SECONDS (default 10), BENCH_HTTP_PORT (gunicorn's port on 127.0.0.1; default a
free one), BENCH_HTTP_TIMEOUT (wrk's timeout in seconds, default 2), BENCH_HTTP_WORKERS
(gunicorn's workers, default two per core, as production), BENCH_POSTGRES_URL (the HTTP stage's
database when DATABASE_URL is not PostgreSQL)."""

import importlib
import os
import pkgutil
import sys
import traceback
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR_REPEAT = 300
LOCAL_FLOOR_REPEAT = 100  # the floor beside each benchmark (before and after it)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings.local")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
    (ROOT / "var").mkdir(exist_ok=True)
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "bench.urls"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.DEBUG = False  # no query log: it would slow every page down
    # whitenoise looks for collected files; the bench serves no static files.
    warnings.filterwarnings("ignore", message="No directory at")


def make_context(scale: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from .core import Context, sign_in

    ctx = Context(scale=scale)
    users = get_user_model().objects.in_bulk(["frontdesk", "practitioner", "admin"], field_name="username")
    for role, username in [("desk", "frontdesk"), ("practitioner", "practitioner"), ("admin", "admin")]:
        client = Client()
        sign_in(client, users[username])  # with the second factor, as production asks of staff
        ctx.clients[role] = client
    ctx.clients["anonymous"] = Client()
    return ctx


def load_benchmarks() -> None:
    package = Path(__file__).resolve().parent
    for module in sorted(pkgutil.iter_modules([str(package)]), key=lambda m: m.name):
        if module.name.startswith("bench_"):
            importlib.import_module(f"bench.{module.name}")


def measure_floor(ctx, repeat: int = FLOOR_REPEAT):
    from .core import Result, time_per_op

    client = ctx.client("desk")

    def get():
        assert client.get("/__bench__/floor/").status_code == 200

    return Result("framework floor (bare view, 1 query)", time_per_op(get, repeat=repeat), repeat, "page")


def main() -> int:
    scale = os.environ.get("BENCH_SCALE", "small")
    only = os.environ.get("BENCH_ONLY", "")
    setup_django()
    from django.db import connection

    from .core import BENCHMARKS, load_average, seed

    seed(scale)
    load_benchmarks()
    load_at_start = load_average()
    ctx = make_context(scale)
    from clinic.gc_tuning import tune_for_requests

    tune_for_requests()  # as the web process does once loaded (clinic/wsgi.py)
    floor = measure_floor(ctx)
    results, failures = [floor], []
    for fn in BENCHMARKS:
        if only and only not in fn.__name__:
            continue
        before = measure_floor(ctx, LOCAL_FLOOR_REPEAT).seconds_per_op
        try:
            got = fn(ctx)
        except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others' figures
            failures.append((f"{fn.__module__}.{fn.__name__}", traceback.format_exc()))
            continue
        local = min(before, measure_floor(ctx, LOCAL_FLOOR_REPEAT).seconds_per_op)
        for result in got if isinstance(got, list) else [got]:
            result.floor_seconds = local
            results.append(result)
    # Measured again at the end: on a busy machine the two differ, and the ratios use the lower.
    again = measure_floor(ctx)
    again.name = "framework floor, measured again at the end"
    results.append(again)
    floor_seconds = min(floor.seconds_per_op, again.seconds_per_op)
    load_at_end = load_average()
    print(f"\nscale={scale}  database={connection.vendor}  python={sys.version.split()[0]}")
    print(f"load average (1 / 5 / 15 min): {load_at_start} at the start, {load_at_end} at the end")
    print(
        "Every page is also a ratio to the floor measured just before and after its benchmark (the lower"
        " of the two, in 'floor ms'); the run's first and last floors are the first and last rows.\n"
    )
    print_table(results, floor_seconds)
    for name, trace in failures:
        print(f"\nFAILED {name}\n{trace}")
    stage = None
    if os.environ.get("BENCH_HTTP", "0" if only else "1") == "1":
        from . import http

        connection.close()  # the child processes may use the same database
        stage = http.run_stage(scale)
        http.print_table(stage)
        failures += [(r.name, "non-200 answers, socket errors or timeouts") for r in stage.results if r.failed]
    if not only:
        from . import report

        doc = report.write(
            scale=scale,
            vendor=connection.vendor,
            results=results,
            floor_seconds=floor_seconds,
            stage=stage,
            loads=(load_at_start, load_at_end),
        )
        print(f"\nwritten: {doc.relative_to(ROOT)}")
    return 1 if failures else 0


def print_table(results, floor_seconds: float) -> None:
    width = max(len(r.name) for r in results)
    print(f"{'benchmark':<{width}}  {'ms/op':>9}  {'ops':>6}  {'x floor':>7}  {'floor ms':>8}  note")
    print("-" * (width + 50))
    for r in results:
        page = r.kind == "page"
        ratio = f"{r.times_floor(floor_seconds):7.1f}" if page else " " * 7
        floor = f"{(r.floor_seconds or floor_seconds) * 1000:8.2f}" if page else " " * 8
        print(f"{r.name:<{width}}  {r.seconds_per_op * 1000:9.2f}  {r.ops:>6}  {ratio}  {floor}  {r.note}")


if __name__ == "__main__":
    sys.exit(main())
