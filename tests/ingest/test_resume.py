"""A real import process killed with SIGKILL mid-run resumes where it stopped: nothing lost, nothing doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

ROWS = 3000
ROOT = Path(__file__).resolve().parents[2]


class Store:
    """A database of its own for the child processes, read here with the plain driver."""

    def __init__(self, tmp: Path) -> None:
        base = os.environ.get("KUNDEBASE_DATABASE_URL", "")
        self.vendor = "postgresql" if base.startswith("postgres") else "sqlite"
        if self.vendor == "sqlite":
            self.path = tmp / "resume.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            import psycopg

            parsed = urlparse(base)
            query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
            self.conninfo = {"host": query.get("host") or parsed.hostname, "port": query.get("port") or parsed.port,
                             "user": parsed.username or "postgres"}
            self.name = f"kb_resume_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(dbname="postgres", autocommit=True, **self.conninfo) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = f"postgresql://{self.conninfo['user']}@/{self.name}?host={self.conninfo['host']}" + (
                f"&port={self.conninfo['port']}" if self.conninfo["port"] else "")

    def query(self, sql: str) -> list[tuple]:
        if self.vendor == "sqlite":
            import sqlite3

            with sqlite3.connect(self.path, timeout=30) as conn:
                return conn.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(dbname=self.name, **self.conninfo) as conn:
            return conn.execute(sql).fetchall()

    def drop(self) -> None:
        if self.vendor == "postgresql":
            import psycopg

            with psycopg.connect(dbname="postgres", autocommit=True, **self.conninfo) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("file_check_rows", [10**9, 1000], ids=["per-row", "whole-file"])
def test_killed_import_resumes_without_loss_or_doubles(tmp_path, file_check_rows):
    """Both duplicate checks: chunk by chunk, and the whole file linked first (killed while writing)."""
    store = Store(tmp_path)
    env = dict(os.environ, KUNDEBASE_DATABASE_URL=store.url, KUNDEBASE_ENV="test",
               KUNDEBASE_DATA_DIR=str(tmp_path / "data"), KUNDEBASE_IMPORT_FILE_CHECK_ROWS=str(file_check_rows))
    cli = [sys.executable, "-m", "kundebase"]
    try:
        subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT, timeout=300)
        csv_path = tmp_path / "many.csv"
        with csv_path.open("w", encoding="utf-8") as fh:
            fh.write("fornavn;etternavn;e-post\n")
            for i in range(ROWS):
                fh.write(f"Navn{i};Etternavn{i};person{i}@example.no\n")
        command = [*cli, "import", str(csv_path), "--source", "bulk", "--chunk-size", "25", "--no-progress"]
        child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        done = 0
        while time.monotonic() < deadline and child.poll() is None:
            rows = store.query("SELECT rows_done FROM ingest_importjob") if _has_job(store) else []
            done = rows[0][0] if rows else 0
            if done >= 150:
                break
            time.sleep(0.02)
        assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stderr.close()
        killed_at = store.query("SELECT rows_done, status FROM ingest_importjob")[0]
        assert 0 < killed_at[0] < ROWS and killed_at[1] == "running"
        persons = store.query("SELECT COUNT(*) FROM parties_person")[0][0]
        assert persons == killed_at[0]  # every committed chunk is whole, and nothing beyond it
        subprocess.run(command, env=env, cwd=ROOT, check=True, timeout=600, capture_output=True)
        assert store.query("SELECT rows_done, status, created_count FROM ingest_importjob")[0] == (ROWS, "done", ROWS)
        assert store.query("SELECT COUNT(*), COUNT(DISTINCT normalised) FROM parties_contactpoint")[0] == (ROWS, ROWS)
        assert store.query("SELECT COUNT(*), COUNT(DISTINCT line) FROM ingest_importrow")[0] == (ROWS, ROWS)
        again = subprocess.run(command, env=env, cwd=ROOT, check=True, timeout=120, capture_output=True, text=True)
        assert "imported before" in again.stderr
        assert store.query("SELECT COUNT(*) FROM parties_person")[0][0] == ROWS
    finally:
        store.drop()


def _has_job(store: Store) -> bool:
    try:
        return bool(store.query("SELECT COUNT(*) FROM ingest_importjob")[0][0])
    except Exception:  # the table is not there yet or the database is busy
        return False
