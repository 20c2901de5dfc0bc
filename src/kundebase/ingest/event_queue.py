"""Claiming batches of the event queue and running them, so any number of workers share one queue.

A worker claims a batch of waiting events, oldest first — ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL
(row locks held by the batch's transaction: another worker skips them and takes the next events), on SQLite
the ``claimed_by``/``claimed_at`` columns, committed at once so other workers prepare their batches meanwhile
(SQLite has one writer at a time, not row locks; a claim older than ``events.CLAIM_TIMEOUT`` belonged to a
worker that died and is taken over).  The batch is then processed by :mod:`kundebase.ingest.event_batch` in
one transaction; should the database refuse its bulk writes as a whole, it is processed again event by event.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import uuid
from collections.abc import Iterator

from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from kundebase.core import custom_fields, dialect
from kundebase.ingest import events
from kundebase.ingest.event_batch import Batch, with_sources
from kundebase.ingest.models import Event
from kundebase.parties.services import changes_told_together

log = logging.getLogger(__name__)
WAKE_CHANNEL = "kundebase_events"
"""The PostgreSQL notification channel on which the event API tells waiting workers that events arrived."""


def _claim(ids: list[int] | None, size: int) -> tuple[list[int], str]:
    """SQLite: the ids of up to ``size`` waiting events this worker now holds, oldest first, and its claim's
    token — a claim committed at once, released when the batch is written or fails; one older than
    ``CLAIM_TIMEOUT`` is a dead worker's and is taken over.  (PostgreSQL claims with row locks instead:
    :func:`_claim_rows`.)
    """
    waiting = Event.objects.filter(processed_at__isnull=True)
    if ids is not None:
        waiting = waiting.filter(pk__in=ids)
    token = uuid.uuid4().hex
    now = timezone.now()
    free = Q(claimed_by="") | Q(claimed_at__lt=now - events.CLAIM_TIMEOUT)
    with transaction.atomic():
        chosen = list(waiting.filter(free).order_by("id").values_list("pk", flat=True)[:size])
        Event.objects.filter(free, pk__in=chosen, processed_at__isnull=True).update(claimed_by=token,
                                                                                   claimed_at=now)
    return list(Event.objects.filter(claimed_by=token, processed_at__isnull=True).order_by("id")
                .values_list("pk", flat=True)), token


def _claim_rows(ids: list[int] | None, size: int) -> list[Event]:
    """PostgreSQL: up to ``size`` waiting events, oldest first, locked by this transaction and read whole by
    the same ``SELECT … FOR UPDATE SKIP LOCKED`` that claims them (one statement instead of a claim and a
    read of 500 ids)."""
    waiting = Event.objects.filter(processed_at__isnull=True)
    if ids is not None:
        waiting = waiting.filter(pk__in=ids)
    return list(waiting.order_by("id").select_for_update(skip_locked=True)[:size])


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a batch runs, back on after.

    A batch holds a few hundred thousand young objects (the events' payloads, the rows and values it collects);
    the collector's full passes over them in the middle of a batch took about a sixth of its time, though they
    are freed by reference counting as soon as the batch is done.  (Only switched back on if it was on: a
    second thread's batch meanwhile leaves it as it found it.)"""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


@contextlib.contextmanager
def _unit(work: events.Direct) -> Iterator[None]:
    events._units.current = work
    try:
        yield
    finally:
        events._units.current = None


def run(ids: list[int] | None, size: int, *, one_by_one: bool = False) -> int:
    """Claim and process one batch (of the given waiting events, or the oldest); returns how many it did."""
    token = ""
    locks = dialect.for_connection(connection).skip_locked
    try:
        if not locks:  # committed at once: other workers read and prepare their batches meanwhile
            claimed, token = _claim(ids, size)
            if not claimed:
                return 0
        with transaction.atomic():
            with _collector_paused():
                if locks:  # row locks, held by this transaction; the rows themselves read by the same statement
                    batch = _claim_rows(ids, size)
                    if not batch:
                        return 0
                else:
                    batch = list(Event.objects.filter(pk__in=claimed).order_by("id"))
                with_sources(batch)
                events.identity_locks(batch)  # a batch taking one of these visitors' events meanwhile waits
            if one_by_one:
                _one_by_one(batch)
                return len(batch)
            try:
                with transaction.atomic(), _collector_paused():
                    work = Batch(batch)
                    # the customers the batch changed are told to the matching keys, registers and profiles
                    # once, after its writes, not once per phone or e-mail an identify adds
                    with _unit(work), custom_fields.definitions_held(), changes_told_together():
                        work.prepare()
                        for event in batch:
                            work.handle(event)
                        work.write()
            except (OperationalError, InterfaceError):
                raise
            except DatabaseError:  # the database refused a bulk write as a whole: find the culprit event by event
                log.exception("a batch of %d events could not be written at once; processing it event by event",
                              len(batch))
                _one_by_one(batch)
            return len(batch)
    except BaseException:
        if token:
            with contextlib.suppress(DatabaseError):
                Event.objects.filter(claimed_by=token).update(claimed_by="", claimed_at=None)
        raise


def _one_by_one(batch: list[Event]) -> None:
    """Each event straight through the services in a savepoint of its own (the reference for the batch)."""
    for event in batch:
        party_id, error = None, ""
        try:
            with transaction.atomic():
                party_id = events.handle(event)
        except (OperationalError, InterfaceError):
            raise
        except Exception as exc:  # noqa: BLE001 - refused or unforeseen: set aside with the reason, never block
            error = events.reason(event, exc)
        Event.objects.filter(pk=event.pk).update(processed_at=timezone.now(), party_id=party_id, error=error,
                                                 claimed_by="", claimed_at=None)


def notify_workers() -> None:
    """Tell the workers waiting for events (:func:`wait_for_events`) that some arrived: a database
    notification where there are notifications (PostgreSQL), delivered when the events' transaction commits.
    Elsewhere workers look at the queue every ``--interval`` seconds."""
    dialect.for_connection(connection).notify(connection, WAKE_CHANNEL)


def wait_for_events(timeout: float) -> bool:
    """Wait until events may have arrived: until the event API notifies (``True``) or ``timeout`` seconds pass
    (``False``); without notifications in the database, ``timeout`` seconds.

    A worker that only looked every half second added up to that much to the lag between acknowledgement and
    profile when the events came in a trickle; a notification wakes it at once."""
    import time

    woken = dialect.for_connection(connection).wait_for_notification(connection, WAKE_CHANNEL, timeout)
    if woken is None:
        time.sleep(timeout)
        return False
    return woken
