"""Background work: the one way Kundebase runs anything outside the request that asked for it.

Work is a django-tasks task (``@task`` in the app's ``tasks.py``), enqueued where it is asked for. With the
database backend (development and production) the task is a row in the database until ``kundebase worker``
runs it, so a restart loses nothing queued; ``kundebase serve`` starts one worker beside the web server. The
tests run tasks at once where they are enqueued (``KUNDEBASE_TASKS=immediate``).

This module holds the worker: a few threads, each a :class:`django_tasks_db` worker, that stop on SIGTERM or
Ctrl-C after their current task and put a task that did not finish in time back in the queue.  Its main loop
also queues the periodic jobs of :mod:`kundebase.core.periodic` (fetching mail, escalating cases) when due.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.utils.crypto import get_random_string

log = logging.getLogger(__name__)

GRACE_SECONDS = 10.0
"""How long a stopping worker waits for the tasks it is running before it puts them back in the queue."""


def uses_database() -> bool:
    """Whether tasks are queued in the database (and so need a worker), rather than run at once."""
    return str(settings.TASKS["default"]["BACKEND"]).startswith("django_tasks_db.")


def run_worker(*, threads: int = 2, queues: list[str] | None = None, interval: float = 0.5,
               parent: int | None = None) -> int:
    """Run queued tasks until SIGTERM/SIGINT (or until the process ``parent`` is gone); return how many tasks
    that had not finished were put back in the queue.

    Each thread claims one task at a time (a row lock with SKIP LOCKED on PostgreSQL, an exclusive transaction
    on SQLite), so any number of workers, in this process or others, may run side by side.
    """
    from django_tasks import TaskResultStatus
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    from kundebase.core.periodic import Scheduler

    queue_names = queues or list(settings.TASKS["default"].get("QUEUES", ["default"]))
    workers = [Worker(queue_names=queue_names, interval=interval, batch=False, backend_name="default",
                      startup_delay=False, max_tasks=None, excluded_queue_names=[],
                      worker_id=f"{os.getpid()}-{i}-{get_random_string(8)}") for i in range(threads)]
    stopping = threading.Event()

    def stop(*_: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    running = [threading.Thread(target=worker.run, name=f"kundebase-worker-{i}", daemon=True)
               for i, worker in enumerate(workers)]
    for thread in running:
        thread.start()
    log.info("worker running %d thread(s) on queues %s", threads, ",".join(queue_names))
    scheduler = Scheduler(queues=queue_names)
    while not stopping.wait(0.5):
        if parent is not None and os.getppid() != parent:
            break  # the server that started this worker is gone (killed): do not outlive it
        scheduler.tick()
    for worker in workers:
        worker.running = False
    deadline = time.monotonic() + GRACE_SECONDS
    for thread in running:
        thread.join(max(0.0, deadline - time.monotonic()))
    unfinished = [w.worker_id for w, t in zip(workers, running, strict=True) if t.is_alive() and w.running_task]
    requeued: list[Any] = []
    if unfinished:
        # Put the interrupted tasks back: their work resumes from the rows it wrote (an import's progress, a
        # campaign's pending recipients, the unprocessed events) when a worker runs them again.
        close_old_connections()
        running_rows = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("pk", "worker_ids")
        requeued = [row.pk for row in running_rows if row.worker_ids and row.worker_ids[-1] in unfinished]
        DBTaskResult.objects.filter(pk__in=requeued).update(status=TaskResultStatus.READY, started_at=None)
    return len(requeued)
