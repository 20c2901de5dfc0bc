"""Dead letters: stored events that could not be processed, kept aside with the reason.

An acknowledged event is never lost: it is either processed or set aside here with its error (``Event.error``
is not empty), and the queue moves on.  Once the cause is fixed (a new release, a source that now sends the
right shape, a customer record corrected), the dead letters are retried — from the web page for
administrators (``/import/events/dead-letters``) or ``kundebase events dead-letters retry`` — or discarded
when they are not worth keeping.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from kundebase.ingest import events
from kundebase.ingest.models import Event


def dead_letters(source: str | None = None) -> QuerySet[Event]:
    """The dead letters, oldest first (the order they arrived and will be retried in)."""
    qs = Event.objects.filter(processed_at__isnull=False).exclude(error="").select_related("source")
    if source:
        qs = qs.filter(source__name=source)
    return qs.order_by("id")


def _chosen(ids: Iterable[int] | None, source: str | None) -> list[int]:
    qs = dead_letters(source)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return list(qs.values_list("pk", flat=True))


def retry(ids: Iterable[int] | None = None, *, source: str | None = None) -> tuple[int, int]:
    """Process the chosen dead letters (all when ``ids`` is ``None``) again; ``(processed, still dead)``.

    Each is put back in the queue and processed at once, in arrival order; one that fails again is a dead
    letter again, with its new error.
    """
    chosen = _chosen(ids, source)
    done = 0
    for start in range(0, len(chosen), 500):
        part = chosen[start:start + 500]
        Event.objects.filter(pk__in=part).update(processed_at=None, error="", party_id=None)
        events.process(part, limit=len(part))
        done += len(part)
    still = dead_letters().filter(pk__in=chosen).count()
    return done - still, still


def discard(ids: Iterable[int] | None = None, *, source: str | None = None) -> int:
    """Delete the chosen dead letters (all when ``ids`` is ``None``); returns how many."""
    chosen = _chosen(ids, source)
    return Event.objects.filter(pk__in=chosen).delete()[0]
