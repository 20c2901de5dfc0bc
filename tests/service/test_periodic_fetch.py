"""The server fetches mail and escalates cases on its own: the worker queues both periodically; a mailbox that is
down is tried again with back-off and, once it is up, every message is stored exactly once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.core.test_tasks import DATABASE, start_worker, stop
from tests.ingest.test_event_worker import _wait as wait
from tests.service.conftest import message


@pytest.mark.django_db
def test_a_mailbox_that_is_down_waits_out_its_back_off_and_then_loses_nothing(
        inbox: Any, customer: Any, dovecot: Any, settings: Any) -> None:
    from kundebase.service import fetching
    from kundebase.service.models import MailMessage

    settings.KUNDEBASE_MAIL_FETCH_SECONDS = 60
    box = inbox.mailbox()
    raw, first_id = message(subject="Mens serveren er nede")
    inbox.append(raw)
    dovecot.stop()
    try:
        [result] = fetching.fetch_due()
        assert result.error and result.stored == 0
        box.refresh_from_db()
        assert box.failures == 1 and box.last_uid == 0
        assert dt.timedelta(seconds=55) < box.retry_at - timezone.now() <= dt.timedelta(seconds=60)
        assert fetching.fetch_due() == []  # waiting out the back-off: not even tried
        [again] = fetching.fetch_due(now=box.retry_at)
        box.refresh_from_db()
        assert again.error and box.failures == 2
        assert dt.timedelta(seconds=115) < box.retry_at - timezone.now() <= dt.timedelta(seconds=120)
    finally:
        dovecot.start()
    assert fetching.fetch_due() == []  # up again, but the back-off still runs
    [up] = fetching.fetch_due(now=box.retry_at)
    assert (up.stored, up.error) == (1, "")
    box.refresh_from_db()
    assert (box.failures, box.retry_at, box.last_uid, box.last_error) == (0, None, 1, "")
    [later] = fetching.fetch_due()
    assert later.stored == 0
    assert list(MailMessage.objects.values_list("message_id", flat=True)) == [first_id]


@pytest.mark.django_db
def test_the_scheduler_queues_each_periodic_job_when_due_and_never_twice(settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from kundebase.core.periodic import Scheduler

    settings.TASKS = DATABASE
    settings.KUNDEBASE_MAIL_FETCH_SECONDS = 60
    settings.KUNDEBASE_ESCALATION_SECONDS = 300
    clock = [1000.0]
    scheduler = Scheduler(clock=lambda: clock[0])
    fetch, escalate = "kundebase.service.tasks.fetch_mail", "kundebase.service.tasks.escalate_cases"
    assert {fetch, escalate} <= set(scheduler.tick())
    assert scheduler.tick() == []  # not due yet
    clock[0] += 61
    assert fetch not in scheduler.tick()  # due, but the last run is still queued: no pile-up
    DBTaskResult.objects.filter(task_path=fetch).update(status="SUCCESSFUL")
    clock[0] += 61
    assert fetch in scheduler.tick() and escalate not in scheduler.tick()
    assert DBTaskResult.objects.filter(task_path=fetch).count() == 2
    assert Scheduler(queues=["events"], clock=lambda: clock[0]).tick() == []  # a worker of another queue


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_worker_fetches_and_escalates_on_its_own_with_the_mailbox_stopped_then_started(
        inbox: Any, customer: Any, service_levels: None, dovecot: Any, tmp_path: Path) -> None:
    from kundebase.service import cases
    from kundebase.service.models import Case, Mailbox, MailMessage

    box = inbox.mailbox()
    raw, first_id = message(subject="Levert mens serveren var nede")
    inbox.append(raw)
    late = cases.open_case(party_id=customer.pk, subject="Gammel sak", text="Hei",
                           opened_at=timezone.now() - dt.timedelta(days=2))
    dovecot.stop()
    worker = start_worker(tmp_path, KUNDEBASE_MAIL_FETCH_SECONDS="1", KUNDEBASE_ESCALATION_SECONDS="1")
    try:
        try:
            assert wait(lambda: Mailbox.objects.get(pk=box.pk).failures >= 2, 60), "the worker never tried"
            assert not MailMessage.objects.exists()
            assert wait(lambda: Case.objects.get(pk=late.pk).escalated_at is not None, 60)
        finally:
            dovecot.start()
        assert wait(lambda: MailMessage.objects.exists(), 60), Mailbox.objects.get(pk=box.pk).last_error
        box.refresh_from_db()
        assert wait(lambda: Mailbox.objects.get(pk=box.pk).last_fetched_at is not None
                    and Mailbox.objects.get(pk=box.pk).last_fetched_at > box.last_fetched_at, 30)
    finally:
        err = stop(worker)
    box.refresh_from_db()
    assert (box.failures, box.last_uid, box.last_error) == (0, 1, ""), err
    assert list(MailMessage.objects.values_list("message_id", flat=True)) == [first_id]
    assert Case.objects.get(pk=late.pk).priority == "high"


@pytest.mark.django_db
def test_messages_are_stored_in_batches_with_every_audit_entry_chained(
        inbox: Any, customer: Any, service_levels: None, monkeypatch: Any) -> None:
    from kundebase.core import audit
    from kundebase.core.models import AuditEntry
    from kundebase.service import fetching
    from kundebase.service.models import Case, MailMessage

    monkeypatch.setattr(fetching, "BATCH", 2)
    box = inbox.mailbox()
    ids = []
    for n in range(5):
        raw, msg_id = message(subject=f"Sak {n}", body="Varmepumpen bråker.")
        inbox.append(raw)
        ids.append(msg_id)
    before = AuditEntry.objects.count()
    [result] = fetching.fetch_due()
    assert (result.stored, result.error) == (5, "")
    box.refresh_from_db()
    assert box.last_uid == 5
    assert sorted(MailMessage.objects.values_list("message_id", flat=True)) == sorted(ids)
    assert set(Case.objects.values_list("category", flat=True)) == {"heat-pumps"}
    # one entry per case and per timeline entry, as before batching, and the chain intact
    assert AuditEntry.objects.count() - before == 10 and audit.verify().ok
