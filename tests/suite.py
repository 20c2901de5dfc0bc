"""Run the whole test suite: once on SQLite, then the database tests again on a real PostgreSQL.

``python -m tests.suite [pytest arguments]``.  A PostgreSQL cluster is
started for the run and removed afterwards.  Outside CI a machine without
PostgreSQL runs the SQLite pass and says loudly that the second pass was
skipped; in CI (``CI=true``) that is a failure.

Both passes run every marker, the journeys (``journey``: a real ``kundebase serve`` per mode on the pass's
database, Chromium, the API and schemathesis) and the other ``slow`` and ``browser`` tests included.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from tests import pgcluster

ROOT = Path(__file__).resolve().parent.parent


def _counts(junit: Path) -> tuple[int, int, int]:
    if not junit.exists():
        return 0, 0, 0
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    tests = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return tests - failed - skipped, failed, skipped


def _pytest(backend: str, url: str, args: list[str], junit: Path, data_dir: str) -> int:
    env = dict(os.environ, KUNDEBASE_DATABASE_URL=url, KUNDEBASE_TEST_BACKEND=backend, KUNDEBASE_ENV="test",
               KUNDEBASE_DATA_DIR=data_dir)
    print(f"\n=== test pass on {backend} ===", flush=True)
    cmd = [sys.executable, "-m", "pytest", f"--junitxml={junit}", *args]
    return subprocess.call(cmd, cwd=ROOT, env=env)


def main(argv: list[str]) -> int:
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    work = Path(tempfile.mkdtemp(prefix="kb-suite-"))
    results = {}
    codes = {}
    codes["sqlite"] = _pytest("sqlite", f"sqlite:///{work}/test.sqlite3", argv, work / "sqlite.xml", str(work / "d1"))
    results["sqlite"] = _counts(work / "sqlite.xml")
    try:
        cluster = pgcluster.start()
    except RuntimeError as exc:
        if ci:
            print(f"FAILED: PostgreSQL is required in CI and could not be started: {exc}", file=sys.stderr)
            codes["postgresql"] = 1
        else:
            print(f"WARNING: PostgreSQL pass SKIPPED: {exc}", file=sys.stderr)
        cluster = None
    if cluster is not None:
        try:
            codes["postgresql"] = _pytest("postgresql", cluster.url, argv, work / "pg.xml", str(work / "d2"))
            results["postgresql"] = _counts(work / "pg.xml")
        finally:
            cluster.stop()
    passed = sum(r[0] for r in results.values())
    failed = sum(r[1] for r in results.values())
    skipped = sum(r[2] for r in results.values())
    bad = {k: v for k, v in codes.items() if v not in (0,)}
    for backend, (p, f, s) in results.items():
        print(f"{backend}: {p} passed, {f} failed, {s} skipped (exit {codes[backend]})")
    if bad and not failed:
        failed = len(bad)
    print(f"suite: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
