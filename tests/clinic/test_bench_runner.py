"""make bench's own parts: the floor view, the benchmark discovery and the table."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import __main__ as runner
from bench.core import BENCHMARKS, Result

pytestmark = pytest.mark.django_db


@pytest.mark.urls("bench.urls")
def test_the_floor_is_one_query_and_a_small_page_beside_the_whole_site(desk_client):
    desk_client.get("/__bench__/floor/")
    with CaptureQueriesContext(connection) as captured:
        response = desk_client.get("/__bench__/floor/")
    assert response.status_code == 200
    # Session, user and role lookups and the session renewal come with every staff page; the floor
    # adds exactly one query of its own (savepoints are the test transaction's, not the page's).
    statements = [q["sql"].split()[0] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert statements == ["SELECT", "SELECT", "SELECT", "SELECT", "UPDATE"]
    assert desk_client.get("/desk/").status_code == 200  # the site is mounted beside it


def test_every_bench_module_is_discovered():
    runner.load_benchmarks()
    assert "foundation_pages" in {fn.__name__ for fn in BENCHMARKS}


def test_the_table_shows_pages_as_a_ratio_to_the_floor(capsys):
    """A page with the floor measured beside its benchmark is compared with that one, and says
    which; one without, with the run's."""
    beside = Result("day", 0.009, 10, "page", floor_seconds=0.003)
    runner.print_table(
        [
            Result("floor", 0.002, 10, "page"),
            Result("calendar", 0.006, 10, "page"),
            beside,
            Result("planner", 0.001, 10),
        ],
        floor_seconds=0.002,
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[3].split()[:5] == ["calendar", "6.00", "10", "3.0", "2.00"]
    assert lines[4].split()[:5] == ["day", "9.00", "10", "3.0", "3.00"]
    assert lines[5].split() == ["planner", "1.00", "10"]


WRK_OUTPUT = """Running 15s test @ http://127.0.0.1:8000/desk/
  2 threads and 64 connections
BENCH requests=3000 bad=2 connect=0 read=1 write=0 timeout=3 duration_us=15000000 p50_us=81000 p99_us=640000
"""


def test_the_http_stage_reads_wrk_and_counts_every_kind_of_failure():
    from bench.http import parse_wrk

    result = parse_wrk(WRK_OUTPUT, "day page")
    assert result.requests_per_second == 200.0
    assert (result.bad_status, result.socket_errors, result.timeouts) == (2, 1, 3)
    assert (result.p50_ms, result.p99_ms) == (81.0, 640.0)
    assert result.failed


def test_the_http_table_shows_pages_as_a_share_of_the_better_floor(capsys):
    from bench.http import HttpResult, Stage, print_table

    def made(name, rps):
        return HttpResult(name, rps, int(rps * 15), 0, 0, 0, 10.0, 50.0)

    stage = Stage(
        [
            made("framework floor (bare view, 1 query)", 380.0),
            made("day page", 150.0),
            made("framework floor, again", 400.0),
        ],
        workers=4,
        seconds=15,
        postgres_version="15.20",
    )
    print_table(stage)
    day = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("day page"))
    assert day.split()[2:4] == ["150.0", "38%"]


def test_the_http_stage_says_why_it_skips_when_postgresql_does_not_answer():
    from bench.http import ensure_database

    reason = ensure_database("postgres://postgres@127.0.0.1:1/prolo_bench_small")
    assert reason.startswith("PostgreSQL does not answer at 127.0.0.1:1")


def test_the_http_stage_uses_the_postgresql_database_url_or_a_bench_database(monkeypatch):
    from bench.http import postgres_url

    monkeypatch.setenv("DATABASE_URL", "sqlite:///var/bench.sqlite3")
    monkeypatch.delenv("BENCH_POSTGRES_URL", raising=False)
    assert postgres_url("large") == "postgres://postgres@127.0.0.1:5432/prolo_bench_large"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/prolo")
    assert postgres_url("large") == "postgres://u@db:5432/prolo"


def test_benchmarks_md_names_the_machine_and_both_tables():
    from bench import report
    from bench.http import HttpResult, Stage

    stage = Stage([HttpResult("framework floor (bare view, 1 query)", 400.0, 6000, 0, 0, 0, 9.0, 30.0)], workers=4)
    stage.seconds, stage.postgres_version = 15, "15.20"
    text = report.markdown(
        scale="small",
        vendor="sqlite",
        results=[Result("floor", 0.002, 10, "page"), Result("calendar: day page", 0.006, 10, "page", "206 cards")],
        floor_seconds=0.002,
        stage=stage,
    )
    for words in ("| CPU |", "| cores |", "| RAM |", "| Python |", "| PostgreSQL | 15.20 |", "| SQLite |"):
        assert words in text
    assert "| calendar: day page | 6.00 | 3.0 | 2.00 | 206 cards |" in text
    assert "| framework floor (bare view, 1 query) | 400.0 | 100% |" in text


def test_the_bench_signs_staff_in_with_their_second_factor(desk_user):
    """An authenticator app makes any staff page ask for its code first: the bench's clients (and
    the HTTP stage's desks) are signed in as having entered it, as production asks of staff."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bench.core import sign_in

    TOTPDevice.objects.create(user=desk_user, name="Phone", confirmed=True)
    plain = Client()
    plain.force_login(desk_user)
    assert plain.get("/desk/patients/")["Location"].startswith("/accounts/two-factor/verify/")
    signed = Client()
    sign_in(signed, desk_user)
    assert signed.get("/desk/patients/").status_code == 200
    sign_in(Client(), desk_user)
    assert TOTPDevice.objects.filter(user=desk_user).count() == 1  # one app per account, reused
