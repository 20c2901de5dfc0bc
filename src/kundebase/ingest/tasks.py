"""The ingest work that runs in the background: an import job, and a round of event processing.

Both are django-tasks tasks: enqueued where the work is asked for (the import page's "start", an acknowledged
tracking event), kept in the database until a worker (``kundebase worker``, started by ``kundebase serve``)
runs them, so a restart of the server loses no queued work. Their state lives in their own rows (the
:class:`~kundebase.ingest.models.ImportJob`, the event table), not in the task: a task run twice or run again
after an interruption resumes where the rows say it stopped.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_tasks import task

from kundebase.ingest import events, importer

EVENTS_QUEUE = "events"
"""Events have a queue of their own, so that one long import never holds back the tracking events."""


@task()
def run_import(job_id: int, actor_id: int | None = None) -> None:
    """Run (or resume) one import job; a failure is recorded on the job for its page, as FAILED."""
    from kundebase.core import priority
    from kundebase.core.tasks import uses_database
    from kundebase.ingest.models import ImportJob

    if ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PAUSED).exists():
        return  # paused before the worker reached it: it waits for "resume", which queues it again
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id is not None else None
    try:
        if uses_database():  # in the worker: below the server's requests (immediate tasks run where asked)
            priority.run_lowered(importer.run_job, job_id, actor=actor)
        else:
            importer.run_job(job_id, actor=actor)
    except Exception:  # recorded on the job as FAILED by run_job, shown on its page
        importer.log.exception("background import %s stopped", job_id)


@task(queue_name=EVENTS_QUEUE)
def process_events() -> None:
    """Work the event queue until it is empty (events are claimed one by one, so workers may run side by side)."""
    while events.process(limit=200):
        pass


def start_import(job_id: int, actor: object = None) -> None:
    """Queue the import job for the worker."""
    run_import.enqueue(job_id, getattr(actor, "pk", None))


def process_events_soon() -> None:
    """Have the new events processed: queue one round unless one is already waiting to start.

    A round that is already running may have passed the new events by, so only a round still waiting counts; two
    requests racing here queue two rounds, which is harmless (the second finds the queue empty).
    """
    from django_tasks_db.models import DBTaskResult

    from kundebase.core.tasks import uses_database

    if uses_database() and DBTaskResult.objects.ready().filter(task_path=process_events.module_path).exists():
        return
    process_events.enqueue()
