"""The web process's garbage collector, tuned for request work (clinic/wsgi.py; the in-process
benchmarks do the same, bench/__main__.py).

A busy desk page makes tens of thousands of short-lived objects (the day grid's 330 cards, their
rows and strings). With CPython's default first threshold (700 new container objects) the cyclic
collector ran some seventy times per page, and every tenth of its passes over the older objects
walked what the process holds since start-up (Django, the URLconf, the templates): about 2 ms of a
35 ms page. Reference counting frees almost all of a request's objects as soon as the request ends;
the collector is only for the few cycles (a request and its response), which can wait for
GEN0_THRESHOLD new objects. What the process loaded at start-up is frozen out of its walks
(`gc.freeze`): it lives as long as the process."""

import gc

GEN0_THRESHOLD = 50_000
OLDER_THRESHOLDS = (20, 20)


def tune_for_requests() -> None:
    """Call once the application is loaded, before the first request."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GEN0_THRESHOLD, *OLDER_THRESHOLDS)
