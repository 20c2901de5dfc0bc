"""The server's long-lived objects kept out of the cycle collector's way.

A server process holds a quarter of a million objects that live as long as it does: Django's settings, models
and URL patterns, the API's schemas, translation catalogues, the offers' definitions.  Python's collector
walks all of them in every full collection: measured in-process, a full collection took 80–150 ms, stopping
every thread of the process, once every few hundred requests — a profile answer of 3 ms then waited behind
it, which set the 99th percentile at a moderate load.  ``gc.freeze()`` moves the objects alive at that moment
into a generation the collector never walks; cyclic garbage created later is collected as before, and what
was frozen is still freed by reference counting when it is dropped.

:func:`settle` freezes what the server loaded before it forks its workers (the children share those pages
instead of copying them when the collector would have written to them); :func:`freeze_when_warm` freezes
once more in each worker after its first requests, when it has filled its own caches.
"""

from __future__ import annotations

import gc
import itertools
from typing import Any

WARM_REQUESTS = 200
"""Requests a worker answers before it freezes what it built for them (URL and template caches, catalogues)."""


def settle() -> None:
    """Collect, then freeze everything alive: call once loading is done, before forking workers."""
    gc.collect()
    gc.freeze()


def freeze_when_warm(requests: int = WARM_REQUESTS) -> None:
    """Freeze once more after this process has answered ``requests`` requests."""
    from django.core.signals import request_finished

    seen = itertools.count(1)

    def count(**_kwargs: Any) -> None:
        if next(seen) == requests:  # one thread reaches it exactly once
            request_finished.disconnect(count)
            settle()

    request_finished.connect(count, weak=False)
