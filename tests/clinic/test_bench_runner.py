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
    runner.print_table(
        [Result("floor", 0.002, 10, "page"), Result("calendar", 0.006, 10, "page"), Result("planner", 0.001, 10)],
        floor_seconds=0.002,
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[3].split()[:4] == ["calendar", "6.00", "10", "3.0"]
    assert lines[4].split() == ["planner", "1.00", "10"]
