"""Benchmarks write their latest output here; ``RESULTS.md`` is assembled from one file per benchmark.

One file per benchmark keeps runs of different benchmarks from overwriting each
other; ``python -m benchmarks.results`` rebuilds RESULTS.md from them.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS_DIR = HERE / "results"
HEADER = """# Benchmark results

Each section is the latest output of one script in `benchmarks/`, measured on the project's
2-core machines. Figures are ratios against a baseline measured in the same run; absolute times
are given for orientation and vary with the machine's load.
"""


def machine() -> str:
    impl = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{impl}, {os.cpu_count()} cores, {platform.machine()}"


def record(name: str, title: str, body: str) -> Path:
    """Store one benchmark's latest report and rebuild RESULTS.md."""
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    path = RESULTS_DIR / f"{name}.md"
    one, five, fifteen = os.getloadavg()
    load = f", load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1, 5, 15 min)"
    path.write_text(f"## {title}\n\n_Run {stamp} on {machine()}{load} — `python -m benchmarks.{name}`_\n\n"
                    f"{body.strip()}\n")
    rebuild()
    return path


def rebuild() -> None:
    parts = [HEADER]
    for path in sorted(RESULTS_DIR.glob("*.md")):
        parts.append(path.read_text())
    (HERE / "RESULTS.md").write_text("\n".join(parts))


if __name__ == "__main__":
    rebuild()
