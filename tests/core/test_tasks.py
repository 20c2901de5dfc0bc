"""Background work is queued in the database and run by ``kundebase worker``: an import started on its page
and the tracking events a request stored wait in the queue (a server restart loses nothing), the worker runs
them, and a worker stopped in the middle of a task puts the task back in the queue."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from tests.ingest.test_event_worker import _test_database_url as database_url
from tests.ingest.test_event_worker import _wait as wait

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "import"
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "events"]}}


def start_worker(tmp_path: Path, *args: str, **extra_env: str) -> subprocess.Popen[str]:
    """``kundebase worker`` on the test's database, as its own process."""
    env = dict(os.environ, KUNDEBASE_DATABASE_URL=database_url(), KUNDEBASE_ENV="test",
               KUNDEBASE_TASKS="database", KUNDEBASE_DATA_DIR=str(tmp_path), PYTHONPATH=str(ROOT / "src"),
               **extra_env)
    return subprocess.Popen([sys.executable, "-m", "kundebase", "worker", "--interval", "0.1", *args],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(worker: subprocess.Popen[str]) -> str:
    worker.send_signal(signal.SIGTERM)
    _out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
    return err


@pytest.mark.slow
def test_started_import_and_stored_events_wait_in_the_queue_until_a_worker_runs_them(
        live_server, client, make_user, settings, tmp_path):
    from django_tasks_db.models import DBTaskResult

    from kundebase.ingest import services
    from kundebase.ingest.models import Event, ImportJob
    from kundebase.parties.models import ContactPoint, Person

    settings.TASKS = DATABASE
    settings.KUNDEBASE_EVENT_PROCESSING = "background"
    settings.KUNDEBASE_DATA_DIR = tmp_path
    client.force_login(make_user("admin", "administrator"))
    upload = SimpleUploadedFile("kunder.csv", (DATA / "persons_nb_semicolon_utf8.csv").read_bytes())
    assert client.post("/import/new", {"file": upload, "source": "messe", "entity": "persons"}).status_code == 302
    job = ImportJob.objects.get()
    assert client.post(f"/import/{job.pk}/start").status_code == 302
    key = services.add_source(name="shop")[1]
    for n in range(3):  # three requests, one processing round waiting for them all
        res = requests.post(f"{live_server.url}/v1/batch", auth=(key, ""), timeout=30, json={"batch": [
            {"type": "identify", "userId": f"u-{n}", "messageId": f"m-{n}",
             "traits": {"email": f"kari{n}.queue@example.no", "firstName": "Kari", "lastName": "Kø"}}]})
        assert res.status_code == 200, res.text

    time.sleep(1)  # nothing runs them yet: the work is rows in the database, not threads of the server
    assert Person.objects.count() == 0 and Event.objects.filter(processed_at__isnull=True).count() == 3
    queued = sorted(DBTaskResult.objects.filter(status="READY").values_list("queue_name", "task_path"))
    assert queued == [("default", "kundebase.ingest.tasks.run_import"),
                      ("events", "kundebase.ingest.tasks.process_events")]
    assert client.get(f"/import/{job.pk}/progress").json()["rows_done"] == 0

    worker = start_worker(tmp_path)
    try:
        assert wait(lambda: client.get(f"/import/{job.pk}/progress").json()["status"] == "done")
        assert wait(lambda: not Event.objects.filter(processed_at__isnull=True).exists())
    finally:
        stop(worker)
    assert client.get(f"/import/{job.pk}/progress").json()["created"] == 3
    assert ContactPoint.objects.filter(normalised__endswith=".queue@example.no").count() == 3
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.slow
def test_a_worker_stopped_during_a_task_puts_it_back_in_the_queue(transactional_db, settings, tmp_path):
    from django_tasks_db.models import DBTaskResult

    from tests.core.slow_tasks import sleep

    settings.TASKS = DATABASE
    result = sleep.enqueue(60)
    worker = start_worker(tmp_path, "--threads", "1")
    try:
        assert wait(lambda: DBTaskResult.objects.get(pk=result.id).status == "RUNNING")
    finally:
        began = time.monotonic()
        err = stop(worker)
    assert time.monotonic() - began < 30
    assert DBTaskResult.objects.get(pk=result.id).status == "READY", err
    assert "1 unfinished task(s) put back in the queue" in err


def test_serve_starts_no_worker_when_tasks_run_at_once(db):
    from kundebase.core.management.commands.serve import start_task_worker

    assert start_task_worker() is None  # the tests' KUNDEBASE_TASKS=immediate: nothing is queued


@pytest.mark.parametrize("option", [["--threads", "0"], ["--threads", "33"], ["--interval", "0"]])
def test_out_of_range_options_are_refused(option, db, settings):
    settings.TASKS = DATABASE
    with pytest.raises(CommandError, match=option[0]):
        call_command("worker", *option)


def test_worker_refuses_to_run_without_a_queue(db):
    with pytest.raises(CommandError, match="KUNDEBASE_TASKS=immediate"):
        call_command("worker")
