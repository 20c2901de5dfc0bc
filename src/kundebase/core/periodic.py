"""Periodic work: tasks the worker queues again and again (fetching mail, escalating cases, …).

A registry the apps append to in their ``AppConfig.ready`` (``register(task, every=…)``).  The worker
(``kundebase worker``, started by ``kundebase serve``) ticks a :class:`Scheduler`: a job whose interval has
passed is queued like any other task, unless a run of it is still queued or running — so a slow run, or several
workers side by side, never pile runs up.  The jobs themselves are idempotent and keep their state in the
database, so a restart between runs loses nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    task: Any
    """A django-tasks task taking no arguments."""
    every: Callable[[], float]
    """Seconds between runs, read at each tick (from the settings)."""

    @property
    def path(self) -> str:
        return str(self.task.module_path)


periodic: list[Periodic] = []


def register(task: Any, *, every: Callable[[], float]) -> None:
    """Add a periodic job (once; a second registration of the same task is ignored)."""
    if not any(job.path == task.module_path for job in periodic):
        periodic.append(Periodic(task=task, every=every))


def waiting(path: str) -> bool:
    """Whether a run of the task at ``path`` is queued or running in the database queue."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=path,
                                       status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).exists()


class Scheduler:
    """Queues each periodic job when it is due; ``tick`` is called by the worker's main loop."""

    def __init__(self, queues: list[str] | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.queues = queues
        self.clock = clock
        self.next_run: dict[str, float] = {}

    def tick(self) -> list[str]:
        """Queue the jobs that are due; returns their paths."""
        now = self.clock()
        queued = []
        for job in list(periodic):
            if self.queues is not None and job.task.queue_name not in self.queues:
                continue  # another worker works that queue
            if now < self.next_run.get(job.path, 0.0):
                continue
            self.next_run[job.path] = now + max(1.0, float(job.every()))
            try:
                if waiting(job.path):
                    continue
                job.task.enqueue()
            except Exception:  # the database is away for a moment: try again at the next interval
                log.exception("could not queue %s", job.path)
                continue
            queued.append(job.path)
        return queued
