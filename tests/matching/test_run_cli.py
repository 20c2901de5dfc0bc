"""``kundebase match run --full`` as docs/matching.md tells an operator (and ``make demo``) to run it, after
``kundebase demo``.

The run goes through both passes (persons, then companies) in a child process against a database of its own
(SQLite, or PostgreSQL on the PostgreSQL pass), and the planted duplicates end up in the review queue.  A run
that fails says why: on the command line (standard error, non-zero exit), in its record and on the review page.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.ingest.test_resume import ROOT, Store

CUSTOMERS = 1000


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kundebase", *args], env=env, cwd=ROOT, text=True,
                          capture_output=True, timeout=600)


@pytest.mark.slow
@pytest.mark.django_db
def test_full_run_after_the_demo_queues_the_planted_duplicates(tmp_path: Path) -> None:
    store = Store(tmp_path)
    env = dict(os.environ, KUNDEBASE_DATABASE_URL=store.url, KUNDEBASE_ENV="development",
               KUNDEBASE_DATA_DIR=str(tmp_path / "data"))
    env.pop("KUNDEBASE_TEST_BACKEND", None)
    try:
        for args in (("migrate", "--noinput", "-v", "0"),
                     ("demo", "--customers", str(CUSTOMERS), "--seed", "5", "--no-progress")):
            done = _cli(env, *args)
            assert done.returncode == 0, done.stderr
        run = _cli(env, "match", "run", "--full", "--if-never-run")  # as make demo runs it
        assert run.returncode == 0, run.stderr
        again = _cli(env, "match", "run", "--full", "--if-never-run")
        assert again.returncode == 0 and "nothing to do" in again.stdout, again.stderr
        (status, error, stats), = store.query("SELECT status, error, stats FROM matching_matchjob")
        stats = json.loads(stats) if isinstance(stats, str) else stats
        assert (status, error) == ("done", "")
        assert stats["company"]["records"] > 50 and stats["company"]["queued"] > 0  # the company pass ran
        numbers = dict(store.query("SELECT id, customer_number FROM parties_party"))
        queued = {frozenset((numbers[a], numbers[b])) for a, b in
                  store.query("SELECT left_id, right_id FROM matching_reviewpair WHERE status = 'open'")}
        with (tmp_path / "data" / "demo_duplicates.csv").open(encoding="utf-8") as fh:
            planted = [frozenset((r["original_customer_number"], r["duplicate_customer_number"]))
                       for r in csv.DictReader(fh)]
        kinds = dict(store.query("SELECT customer_number, kind FROM parties_party"))
        planted_kinds = [kinds[next(iter(p))] for p in planted]
        assert planted_kinds.count("person") > 20 and planted_kinds.count("company") >= 2
        org = dict(store.query("SELECT p.customer_number, c.org_number_key FROM parties_company c "
                               "JOIN parties_party p ON p.id = c.party_ptr_id"))
        assert all(len({org[n] for n in pair}) == 1 for pair, kind in zip(planted, planted_kinds, strict=True)
                   if kind == "company")  # a company's second record keeps its organisation number
        missed = [sorted(p) for p in planted if p not in queued]
        assert not missed, missed
    finally:
        store.drop()


@pytest.mark.django_db
def test_a_failed_run_says_why_on_the_command_line_in_its_record_and_on_the_page(
        monkeypatch: Any, capsys: Any, make_user: Any) -> None:
    from django.db import connections
    from django.test import Client

    from kundebase.cli import main
    from kundebase.matching import batch
    from kundebase.matching.models import MatchJob
    from kundebase.parties.services import create_company, create_person

    for name in ("Kari", "Kari", "Ola"):
        create_person(data={"given_name": name, "family_name": "Nordmann"}, allow_duplicate=True)
    create_company(data={"legal_name": "Fjordkraft AS", "org_number": "923609016", "org_country": "NO"})

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise StopIteration  # a failure whose exception carries no message of its own

    monkeypatch.setattr(batch, "run_prepared", broken)
    # the console script closes every connection when a command ends; this test's transaction lives on
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        main(["match", "run", "--full"])
    assert exited.value.code not in (0, None)
    err = capsys.readouterr().err
    assert "failed" in err and "StopIteration" in err, err
    job = MatchJob.objects.get()
    assert job.status == MatchJob.Status.FAILED and job.error == "StopIteration"

    make_user("reviewer", "administrator", "correct-horse-battery")
    client = Client()
    assert client.login(username="reviewer", password="correct-horse-battery")
    page = client.get("/matching/review").content.decode()
    assert "The run failed: StopIteration" in page
