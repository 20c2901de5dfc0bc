"""Rows per second written by ``kundebase demo``, against a bare insert in the same store by the same method.

``python -m benchmarks.demo_data [--size 100000] [--backends sqlite,postgresql]``

The baseline writes narrow rows by the method the demo load itself uses on that
backend (``kundebase.demo.writer``: ``COPY`` on PostgreSQL, ``executemany`` on
SQLite), so the ratio measures the generator and the wider, indexed tables, not
a slower insert method given to the baseline or the product.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from typing import Any

from benchmarks.stores import kundebase, measure, store

BASELINE_ROWS = 200_000


def run_measure() -> dict[str, Any]:
    """The same backend's raw insert speed: one narrow table, 5,000 rows per transaction, by the demo load's
    own method (``COPY`` on PostgreSQL, ``executemany`` elsewhere)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kundebase.settings")
    django.setup()
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_rows (id integer PRIMARY KEY, name varchar(100), value varchar(100))")
    start = time.perf_counter()
    for first in range(0, BASELINE_ROWS, 5000):
        rows = [(i, f"name {i}", f"value {i}") for i in range(first, first + 5000)]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy("COPY bench_rows (id, name, value) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany("INSERT INTO bench_rows (id, name, value) VALUES (%s, %s, %s)", rows)
    method = "COPY" if connection.vendor == "postgresql" else "executemany"
    return {"rows": BASELINE_ROWS, "seconds": time.perf_counter() - start, "vendor": connection.vendor,
            "method": method}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="customers to generate")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(run_measure()))
        return
    lines = ["| backend | customers | rows | seconds | rows/s | bare insert method | bare insert rows/s | ratio |",
             "|---|---:|---:|---:|---:|---|---:|---:|"]
    start_load = os.getloadavg()[0]
    for backend in args.backends.split(","):
        with store(backend) as env:
            start = time.perf_counter()
            done = kundebase(env, "demo", "--customers", str(args.size), "--no-progress")
            seconds = time.perf_counter() - start
            rows = int(re.search(r"([\d,]+) rows in", done.stdout).group(1).replace(",", ""))  # type: ignore[union-attr]
            base = measure(env, "benchmarks.demo_data")
            base_rate = base["rows"] / base["seconds"]
            lines.append(f"| {backend} | {args.size:,} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | "
                         f"`{base['method']}` | {base_rate:,.0f} | {rows / seconds / base_rate:.2f} |")
            print(lines[-1], flush=True)
    text = ("Wall time of the whole `kundebase demo` process (start-up, Faker pools, generation, inserts, one "
            "transaction per 2,500 customers). Rows are all rows written: customers, persons/companies, contact "
            "points, addresses, roles, orders, order lines, interactions and interests. Baseline: "
            f"{BASELINE_ROWS:,} three-column rows written into the same store by the method the demo load uses "
            f"there (`COPY` on PostgreSQL, `executemany` on SQLite). "
            f"Load average when the run started: {start_load:.1f} on {os.cpu_count()} cores "
            "(shared machine; absolute figures vary with it).\n\n" + "\n".join(lines))
    print(text)
    if not args.no_record:
        from benchmarks.results import record

        record("demo_data", "Demo data generation speed", text)


if __name__ == "__main__":
    main()
