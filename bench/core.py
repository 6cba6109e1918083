"""The benchmark registry. Each area adds a module bench/bench_<area>.py with functions decorated
by @benchmark; `make bench` (python -m bench) sets up Django and a seeded database, measures the
framework floor, runs every benchmark and prints each figure, with pages shown as a ratio to the
floor.

A benchmark takes a Context and returns a Result (or a list of them)."""

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Result:
    name: str
    seconds_per_op: float
    ops: int
    # "page": a request through the full stack, compared with the floor; "op": anything else.
    kind: str = "op"
    note: str = ""
    # The floor measured just before and just after this result's benchmark, the lower of the two
    # (bench/__main__.py): the machine's speed drifts within a run (a floor of 3.6 ms at one end of
    # a run and 5.9 ms in its middle), so a page is compared with the floor of its own minutes.
    floor_seconds: float | None = None

    def times_floor(self, run_floor: float) -> float:
        """This page's time as a multiple of its own floor (of the run's, when it has none)."""
        return self.seconds_per_op / (self.floor_seconds or run_floor)


@dataclass
class Context:
    """What a benchmark may use: a Django test Client per role, and the scale of the data."""

    scale: str
    clients: dict = field(default_factory=dict)

    def client(self, role: str):
        return self.clients[role]


BENCHMARKS: list[Callable[[Context], "Result | list[Result]"]] = []


def benchmark(fn: Callable[[Context], "Result | list[Result]"]) -> Callable:
    BENCHMARKS.append(fn)
    return fn


def sign_in(client, user) -> None:
    """Sign `user` in on `client` as someone who entered their second factor: production asks it of
    staff (STAFF_2FA_REQUIRED). The tests' own sign-in (one authenticator app per account)."""
    from tests.factories import login_with_second_factor

    login_with_second_factor(client, user)


def load_average() -> str:
    """The machine's load average (1 / 5 / 15 min): the figures of a run are read beside it, as
    other work on the machine slows every page, the floor included."""
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "?"


def time_per_op(
    fn: Callable[[], object], *, repeat: int, warmup: int = 2, before: Callable[[], object] | None = None
) -> float:
    """Median seconds of `repeat` calls after `warmup` untimed ones; `before` runs ahead of each
    call, untimed (e.g. to forget what a page keeps)."""
    for _ in range(warmup):
        if before is not None:
            before()
        fn()
    samples = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    samples.sort()
    return samples[len(samples) // 2]


def seed(scale: str) -> None:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", scale=scale)
    _vacuum()
    print(f"database ready in {time.perf_counter() - started:.1f} s")


def _vacuum() -> None:
    """Vacuum and analyze the tables autovacuum would have by now, by its own default rule (dead
    rows above 50 + 20% of the live ones): every page saves its session and the billing bench
    rewrites its invoices, and on a machine with autovacuum off each run was a little slower than
    the one before. Only those: a VACUUM of the million audit entries would leave the first
    benchmarks reading cold pages."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(relname) FROM pg_stat_user_tables "
            "WHERE n_dead_tup > 50 + 0.2 * n_live_tup"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f"VACUUM (ANALYZE) {table}")
