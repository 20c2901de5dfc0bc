"""An import can be paused and resumed from the API, the page and the command line; its progress says what it is
doing, how fast and how long it has left; a pause never splits a chunk, and nothing is lost or doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def people(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("fornavn;etternavn;e-post\n")
        for i in range(rows):
            fh.write(f"Navn{i};Etternavn{i};pause{i}@example.no\n")
    return path


@pytest.fixture
def job(tmp_path: Path, settings: Any) -> Any:
    from kundebase.ingest import importer

    settings.KUNDEBASE_DATA_DIR = tmp_path / "data"
    source = importer.get_source("pausing", create=True)
    made, _created = importer.create_job(path=people(tmp_path / "p.csv", 120), source=source, entity="persons")
    return made


def test_a_pause_stops_after_the_chunk_and_resume_goes_on_without_doubles(job: Any, api: Any) -> None:
    from kundebase.ingest import importer, services
    from kundebase.ingest.models import ImportJob
    from kundebase.parties.models import Person

    def pause_after_first_chunk(_rows: int) -> None:
        if ImportJob.objects.get(pk=job.pk).rows_done == 40:
            services.pause(job)

    paused = importer.run_job(job.pk, progress=pause_after_first_chunk, chunk_size=40)
    assert (paused.status, paused.rows_done, paused.created_count) == ("paused", 40, 40)
    assert Person.objects.count() == 40
    shown = api.get(f"/api/v1/imports/{job.pk}").json()
    assert shown["status"] == "paused" and shown["status_label"] == "Paused"
    assert shown["phase"] == "writing" and shown["seconds_left"] is None
    assert shown["rows_per_second"] is not None and shown["rows_per_second"] > 0
    # Resuming queues it for the worker (run at once in the tests): it goes on from row 41.
    res = api.post(f"/api/v1/imports/{job.pk}/resume", {})
    assert res.status_code == 200, res.content
    done = ImportJob.objects.get(pk=job.pk)
    assert (done.status, done.phase, done.rows_done, done.created_count) == ("done", "done", 120, 120)
    assert Person.objects.count() == 120 and done.rows.count() == 120
    assert api.get(f"/api/v1/imports/{job.pk}").json()["phase_label"] == "Finished"


def test_pause_and_resume_refuse_what_they_cannot_do(job: Any, api: Any, api_as: Any) -> None:
    from kundebase.ingest import importer

    res = api.post(f"/api/v1/imports/{job.pk}/resume", {})  # waiting: resuming starts it
    assert res.status_code == 200 and res.json()["status"] == "done"
    for action, code in (("pause", "not_running"), ("resume", "not_paused")):
        res = api.post(f"/api/v1/imports/{job.pk}/{action}", {})
        assert res.status_code == 409 and res["Content-Type"].startswith("application/problem+json")
        assert res.json()["code"] == code and "done" in res.json()["detail"]
    assert api.post("/api/v1/imports/999999/pause", {}).status_code == 404
    assert api_as("sales").post(f"/api/v1/imports/{job.pk}/pause", {}).status_code == 403
    assert importer.run_job(job.pk).created_count == 120  # a finished job stays as it is


def test_a_job_paused_before_the_worker_reached_it_waits(job: Any) -> None:
    from kundebase.ingest import services, tasks
    from kundebase.ingest.models import ImportJob

    services.pause(job)
    tasks.run_import.call(job.pk)
    assert ImportJob.objects.get(pk=job.pk).rows_done == 0


def test_the_page_offers_pause_and_resume(job: Any, admin_client: Any) -> None:
    from kundebase.ingest.models import ImportJob

    ImportJob.objects.filter(pk=job.pk).update(status="running")
    page = admin_client.get(f"/import/{job.pk}/").content.decode()
    assert f'action="/import/{job.pk}/pause"' in page and "Checking for duplicates" not in page
    assert admin_client.post(f"/import/{job.pk}/pause").status_code == 302
    assert ImportJob.objects.get(pk=job.pk).status == "paused"
    page = admin_client.get(f"/import/{job.pk}/").content.decode()
    assert f'action="/import/{job.pk}/start"' in page and f'action="/import/{job.pk}/pause"' not in page
    assert admin_client.post(f"/import/{job.pk}/start").status_code == 302
    assert ImportJob.objects.get(pk=job.pk).status == "done"
    progress = admin_client.get(f"/import/{job.pk}/progress").json()
    assert progress["status_label"] == "Done" and progress["rows_done"] == 120


def test_the_command_line_lists_shows_pauses_and_resumes(job: Any, capsys: Any) -> None:
    from kundebase.ingest.models import ImportJob

    call_command("imports", "list")
    assert f"{job.pk}\tWaiting\t0/120" in capsys.readouterr().out
    call_command("imports", "pause", str(job.pk))
    assert ImportJob.objects.get(pk=job.pk).status == "paused"
    call_command("imports", "show", str(job.pk))
    assert '"status": "paused"' in capsys.readouterr().out
    call_command("imports", "resume", str(job.pk), "--no-progress")
    assert "120 new" in capsys.readouterr().out
    with pytest.raises(CommandError, match="done: nothing to resume"):
        call_command("imports", "resume", str(job.pk))
    with pytest.raises(CommandError, match="no import 999999"):
        call_command("imports", "show", "999999")


@pytest.mark.slow
def test_ctrl_c_pauses_a_command_line_import_and_it_resumes(tmp_path: Path) -> None:
    from tests.ingest.test_resume import Store, _has_job

    rows = 2000
    store = Store(tmp_path)
    env = dict(os.environ, KUNDEBASE_DATABASE_URL=store.url, KUNDEBASE_ENV="test",
               KUNDEBASE_DATA_DIR=str(tmp_path / "data"))
    cli = [sys.executable, "-m", "kundebase"]
    try:
        subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT, timeout=300)
        path = people(tmp_path / "many.csv", rows)
        child = subprocess.Popen([*cli, "import", str(path), "--source", "bulk", "--chunk-size", "25",
                                  "--no-progress"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            if _has_job(store) and store.query("SELECT rows_done FROM ingest_importjob")[0][0] >= 100:
                break
            time.sleep(0.02)
        assert child.poll() is None, child.stderr.read() if child.stderr else ""
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        job_id, done, status = store.query("SELECT id, rows_done, status FROM ingest_importjob")[0]
        assert status == "paused" and 0 < done < rows
        assert f"kundebase imports resume {job_id}" in err and f"{done} new" in out
        assert store.query("SELECT COUNT(*) FROM parties_person")[0][0] == done
        resumed = subprocess.run([*cli, "imports", "resume", str(job_id), "--no-progress"], env=env, cwd=ROOT,
                                 check=True, timeout=600, capture_output=True, text=True)
        assert f"{rows} new" in resumed.stdout
        assert store.query("SELECT rows_done, status FROM ingest_importjob")[0] == (rows, "done")
        assert store.query("SELECT COUNT(*), COUNT(DISTINCT normalised) FROM parties_contactpoint")[0] == (rows, rows)
    finally:
        store.drop()
