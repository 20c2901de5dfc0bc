"""Fresh stores for benchmarks: an SQLite file or a throwaway PostgreSQL cluster, and commands run against them.

Each benchmark step runs in its own process with ``KUNDEBASE_DATABASE_URL``
pointing at the store, because Django reads its database settings once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def store(backend: str, keep: Path | None = None) -> Iterator[dict[str, str]]:
    """The environment for a migrated store of ``backend`` ("sqlite" or "postgresql").

    Fresh and removed afterwards by default; with ``keep`` the store lives in ``keep/<backend>`` and is
    reused by later runs, so a store that takes many minutes to fill is filled once and measured often.
    """
    work = keep / backend if keep is not None else Path(tempfile.mkdtemp(prefix=f"kb-bench-{backend}-"))
    work.mkdir(parents=True, exist_ok=True)
    cluster = None
    if backend == "postgresql":
        from tests import pgcluster

        cluster = pgcluster.start(work / "pg" if keep is not None else None)
        url = cluster.url
    else:
        url = f"sqlite:///{work}/bench.sqlite3"
    env = dict(os.environ, KUNDEBASE_DATABASE_URL=url, KUNDEBASE_DATA_DIR=str(work / "data"),
               KUNDEBASE_ENV="development", PYTHONPATH=f"{ROOT / 'src'}:{ROOT}")
    try:
        kundebase(env, "migrate", "--noinput", "-v", "0")
        yield env
    finally:
        if cluster is not None:
            cluster.stop()
        if keep is None:
            subprocess.run(["rm", "-rf", str(work)], check=False)


def kundebase(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kundebase", *args], env=env, check=True, text=True,
                          capture_output=True)


def measure(env: dict[str, str], module: str, *args: str) -> dict[str, Any]:
    """Run ``python -m module --measure args`` in the store's environment; it prints one JSON object."""
    done = subprocess.run([sys.executable, "-m", module, "--measure", *args], env=env, check=True, text=True,
                          stdout=subprocess.PIPE, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
