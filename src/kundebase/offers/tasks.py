"""The offers' background work: putting the showings on the timeline, a batch at a time.

An offers answer writes its showings (they count for the caps at once) and leaves their "Offers shown: …"
timeline entry to :func:`put_shown_on_timeline`, which the worker runs soon after (queued by the answer unless a
round is already waiting) and every few seconds besides.  The showing rows themselves are the queue
(``OfferEvent.on_timeline``), so a restart, a failed round or a lost task loses nothing: the next round takes them.
"""

from __future__ import annotations

import time

from django_tasks import task

SWEEP_SECONDS = 5.0
"""How often the worker looks for showings still waiting, whether or not an answer queued a round."""


@task()
def put_shown_on_timeline() -> None:
    """Put every waiting showing on the timeline (batch by batch; workers may run side by side)."""
    from kundebase.offers import ranking

    while ranking.put_shown_on_timeline():
        pass


def sweep_every() -> float:
    return SWEEP_SECONDS


QUEUE_SECONDS = 0.5
"""A server process queues a round at most this often; showings in between are taken by that round or the
next (at the latest by the sweep), so a busy shop costs the queue a row per process and half second, not one
per answer."""
_queued_at = float("-inf")


def timeline_soon() -> None:
    """Have the showings just written put on the timeline: queue a round unless this process queued one very
    recently or one is already waiting to start (as ``ingest.tasks.process_events_soon`` does).  Tasks that run
    at once (the tests) run the round here."""
    global _queued_at
    from django_tasks_db.models import DBTaskResult

    from kundebase.core.tasks import uses_database

    if uses_database():
        now = time.monotonic()
        if now - _queued_at < QUEUE_SECONDS:
            return
        _queued_at = now
        if DBTaskResult.objects.ready().filter(task_path=put_shown_on_timeline.module_path).exists():
            return
    put_shown_on_timeline.enqueue()
