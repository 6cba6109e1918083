"""Races for the PostgreSQL tests: n threads released together, each on its own connection."""

import threading

from django.db import connection


def race(n: int, attempt) -> list:
    """What `attempt()` returned in each of n threads, or the exception it raised there."""
    barrier = threading.Barrier(n)
    results: list = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait()
            result = attempt()
        except Exception as exc:  # noqa: BLE001 - the caller reads every outcome
            result = exc
        finally:
            connection.close()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
