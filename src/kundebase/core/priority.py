"""Bulk work yields the processor to the people and shops waiting for an answer.

A file import keeps a core busy for minutes; on a server that also answers the web shop's profile and offer
requests, it would stretch every answer while it runs.  So an import lowers its own scheduling priority by
``KUNDEBASE_BACKGROUND_NICE`` (default 10, as ``nice`` does; 0 leaves it as it is): when the processor is idle
the import runs at full speed, and when requests are waiting they go first.  The database server's own work
for the import is not lowered; most of an import's time is its own (validation, matching, preparing rows).

On Linux a niceness belongs to a thread, so a worker process can run one task lowered and keep the others (the
tracking events, which must stay fresh) at the server's priority: :func:`run_lowered` runs the task in a
thread of its own that lowers itself and ends with the task.  Raising a niceness again needs privileges a
server should not have, which is why a worker's own threads are never lowered.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings

T = TypeVar("T")


def _step() -> int:
    return int(settings.KUNDEBASE_BACKGROUND_NICE)


def _lower() -> None:
    step = _step()
    if step > 0 and hasattr(os, "nice"):
        try:
            os.nice(step)
        except OSError:  # not allowed here (a container's policy): the work runs at the usual priority
            pass


def lower_this_process() -> None:
    """Lower the priority of a command that does bulk work in its main thread (``kundebase import``)."""
    _lower()


def run_lowered(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``work(*args, **kwargs)`` at the lowered priority, in a thread of its own (on Linux, where a niceness
    is per thread; elsewhere it runs as it is, since lowering would lower the whole worker).  The thread uses a
    database connection of its own and closes it when the work ends; the work's exception is raised here."""
    if not sys.platform.startswith("linux") or not _step():
        return work(*args, **kwargs)
    outcome: dict[str, Any] = {}

    def lowered() -> None:
        from django.db import connections

        try:
            _lower()
            outcome["value"] = work(*args, **kwargs)
        except BaseException as exc:  # handed to the caller's thread, raised there
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=lowered, name="kundebase-lowered", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
