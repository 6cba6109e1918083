"""docs/benchmarks.md: the last full `make bench`, its two tables and the machine it ran on."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
import sys
from pathlib import Path

from .core import Result
from .http import Stage, floor_rps, timeout

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


SMALL = "The small demo clinic (`seed_demo`), with the volume each benchmark adds (bench/bench_*.py)."
DATA = {
    "large": [
        "`seed_demo --scale large` (clinic/management/commands/_demo_large.py): 50,000 patients, each with",
        "a four-session series — 200,000 appointments. 20 practitioners work Mon-Fri with sixteen half-hour",
        "visits each (08:00-12:00, 13:00-17:00), so a busy weekday holds 320 of their visits beside the",
        "small demo's: about 330 cards on the day page, 20 columns (the desk of issue 21). 1,000,000 audit",
        'entries over four years (bench/bench_audit.py). "Built afresh" is the day page as after a',
        "check-in, a booking or a move: its kept grid forgotten, the process's setup (practitioners,",
        'hours, types) kept, as those leave the setup stamp alone. The HTTP stage\'s "afresh" row asks',
        "each of the busy days (at least eight tenths as busy as the ninetieth percentile, some 600) once:",
        "its warm-up asks the kept day, and it lasts as long as the days do (a day asked twice fails it).",
        "On the busy day the billing benchmark gives every patient an open invoice and every series a",
        "package: the day page's money badges (two a card) are in its figures.",
    ],
}


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    ram = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count() or "?"),
        "RAM": ram or "?",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": sys.version.split()[0],
        "SQLite": sqlite3.sqlite_version,
        "load average at the end (1 / 5 / 15 min)": load or "?",
    }


def markdown(
    *,
    scale: str,
    vendor: str,
    results: list[Result],
    floor_seconds: float,
    stage: Stage | None,
    loads: tuple[str, str] = ("", ""),
) -> str:
    info = machine()
    if loads[0]:
        info["load average at the start of the in-process stage"] = loads[0]
        info["load average at the end of the in-process stage"] = loads[1]
    if stage is not None and stage.loads[0]:
        info["load average at the start / end of the HTTP stage"] = f"{stage.loads[0]} — {stage.loads[1]}"
    if stage is not None and stage.postgres_version:
        info["PostgreSQL"] = stage.postgres_version
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/`); ratios are to the framework floor measured in the same run —",
        "a bare view rendering a small template with one query, through the same middleware — so they",
        "hold better than the milliseconds on a busy machine. In-process, each page is compared with the",
        "floor measured just before and just after its benchmark (the lower of the two: 'floor ms'), as",
        "this machine's speed drifts within a run; the run's first and last floors are the table's first",
        "and last rows. Benchmarks are never asserted in tests; query counts are.",
        "",
        f"Run of {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, `BENCH_SCALE={scale}`.",
        "",
        "## The data",
        "",
        *DATA.get(scale, [SMALL]),
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {key} | {value} |" for key, value in info.items()],
        "",
        f"## In-process ({vendor}, Django's test client)",
        "",
        "| benchmark | ms/op | × floor | floor ms | note |",
        "|---|---:|---:|---:|---|",
    ]
    for r in results:
        page = r.kind == "page"
        ratio = f"{r.times_floor(floor_seconds):.1f}" if page else ""
        floor_ms = f"{(r.floor_seconds or floor_seconds) * 1000:.2f}" if page else ""
        lines.append(f"| {r.name} | {r.seconds_per_op * 1000:.2f} | {ratio} | {floor_ms} | {r.note} |")
    lines += ["", "## HTTP (gunicorn, production settings, PostgreSQL, wrk)", ""]
    if stage is None:
        lines.append("Not run (`BENCH_HTTP=0`, or a partial run with `BENCH_ONLY`).")
    elif stage.skipped:
        lines.append(f"Skipped: {stage.skipped}.")
    else:
        floor = floor_rps(stage.results)
        lines += [
            f"{stage.workers} gunicorn workers, {stage.connections} connections, {stage.seconds} s a page after a "
            f"warm-up, wrk's timeout {timeout()} s; the floor is the better of its two runs.",
            "",
            "| page | requests/s | % of floor | p50 ms | p99 ms | non-200 | socket errors | timeouts | asked twice |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for h in stage.results:
            lines.append(
                f"| {h.name} | {h.requests_per_second:.1f} | {h.requests_per_second / floor:.0%} | {h.p50_ms:.1f} | "
                f"{h.p99_ms:.1f} | {h.bad_status} | {h.socket_errors} | {h.timeouts} | {h.repeats} |"
            )
    return "\n".join(lines) + "\n"


def write(**kwargs) -> Path:
    DOC.write_text(markdown(**kwargs))
    return DOC
