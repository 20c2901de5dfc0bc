"""Reports on the DuckDB mirror against the same SQL run directly on PostgreSQL and SQLite, and freshness.

``python -m benchmarks.analytics [--customers N] [--orders N] [--interactions N] [--timeout S]``

One run: a throwaway PostgreSQL cluster (the operational database, as in production) and an
SQLite file are filled with the *same* bulk-generated book (heavy-tailed order counts and
revenue, a group of frequent low-margin buyers with many service calls); the mirror is loaded
from PostgreSQL; then each report's SQL (from :mod:`kundebase.analytics.sql`, one generator,
three dialects) is timed on DuckDB, PostgreSQL and SQLite.  Finally an order is committed
through ``orders.services.create_order`` and we time until the Pareto report shows it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261123
COUNTRIES = [("NO", ["Oslo", "Viken", "Vestland", "Trøndelag", "Rogaland"]),
             ("DK", ["Hovedstaden", "Midtjylland", "Syddanmark"]), ("DE", ["Bayern", "Berlin", "Hessen"]),
             ("HU", ["Budapest", "Pest", "Győr-Moson-Sopron"]), ("SE", ["Stockholm", "Skåne"])]
CHANNELS = ["web", "store", "phone", "sales", "email", "other"]
KINDS = ["inquiry", "email", "call", "meeting", "note", "web_visit", "visit", "letter"]


def _setup_django(data_dir: Path, pg_url: str) -> None:
    os.environ.update(KUNDEBASE_ENV="test", KUNDEBASE_DATA_DIR=str(data_dir), KUNDEBASE_DATABASE_URL=pg_url,
                      DJANGO_SETTINGS_MODULE="kundebase.settings")
    sys.path.insert(0, str(ROOT / "src"))
    from django.conf import settings

    from kundebase.config import database_settings

    settings.DATABASES["lite"] = database_settings(f"sqlite:///{data_dir / 'bench.sqlite3'}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("migrate", database="lite", verbosity=0)


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _generate(folder: Path, customers: int, orders: int, interactions: int) -> dict[str, Path]:
    """CSV files for the Django tables, identical for both databases; timestamps are naive UTC text."""
    rng = np.random.default_rng(SEED)
    now = dt.datetime(2026, 11, 1)
    start = now - dt.timedelta(days=3 * 365)
    files: dict[str, Path] = {}
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")

    # customers: 95 % persons, heavy-tailed activity by id (low ids buy most)
    ids = np.arange(1, customers + 1)
    country_idx = rng.integers(0, len(COUNTRIES), customers)
    region_pick = rng.integers(0, 5, customers)
    births = rng.integers(0, 365 * 60, customers)
    genders = rng.choice(["female", "male", ""], customers, p=[0.48, 0.48, 0.04])
    files["party"] = folder / "party.csv"
    files["person"] = folder / "person.csv"
    files["address"] = folder / "address.csv"
    with (files["party"].open("w", newline="") as fp, files["person"].open("w", newline="") as fe,
          files["address"].open("w", newline="") as fa):
        wp, we, wa = csv.writer(fp), csv.writer(fe), csv.writer(fa)
        for i in range(customers):
            pid = int(ids[i])
            wp.writerow([pid, "person", f"K{pid:08d}", "active", f"Kunde {pid}", f"kunde {pid}", "", "{}",
                         stamp, stamp, 1])
            born = (dt.date(1945, 1, 1) + dt.timedelta(days=int(births[i]))).isoformat()
            we.writerow([pid, "Kunde", str(pid), born, genders[i]])
            country, regions = COUNTRIES[country_idx[i]]
            region = regions[region_pick[i] % len(regions)]
            municipality = f"{region} {pid % 40}"
            wa.writerow([pid, pid, "postal", "Gate 1", f"{pid % 9000 + 1000}", municipality, municipality, region,
                         country, 1, stamp, stamp])
    _progress(f"generated {customers} customers")

    files["order"] = folder / "order.csv"
    chunk = 1_000_000
    span = (now - start).total_seconds()
    with files["order"].open("w", newline="") as fo:
        wo = csv.writer(fo)
        for offset in range(0, orders, chunk):
            n = min(chunk, orders - offset)
            party = np.minimum((customers * rng.random(n) ** 2.2).astype(np.int64) + 1, customers)
            when = rng.random(n) * span
            revenue = np.round(np.exp(rng.normal(6.0, 1.0, n)), 2)
            frequent_low = party % 50 == 7  # a band of frequent buyers with thin margins
            ratio = np.where(frequent_low, rng.uniform(0.92, 1.02, n), rng.uniform(0.4, 0.8, n))
            cost = np.round(revenue * ratio, 2)
            channel = rng.integers(0, len(CHANNELS), n)
            for k in range(n):
                oid = offset + k + 1
                t = (start + dt.timedelta(seconds=float(when[k]))).strftime("%Y-%m-%d %H:%M:%S")
                wo.writerow([oid, int(party[k]), f"O{oid:09d}", t, CHANNELS[channel[k]],
                             "google" if channel[k] == 0 else "", "NOK", f"{revenue[k]:.2f}", f"{cost[k]:.2f}",
                             t, t])
            _progress(f"generated {offset + n} orders")

    files["interaction"] = folder / "interaction.csv"
    with files["interaction"].open("w", newline="") as fi:
        wi = csv.writer(fi)
        for offset in range(0, interactions, chunk):
            n = min(chunk, interactions - offset)
            party = np.minimum((customers * rng.random(n) ** 2.0).astype(np.int64) + 1, customers)
            # the frequent low-margin band also calls a lot
            party = np.where(rng.random(n) < 0.15, (party // 50) * 50 + 7, party)
            party = np.clip(party, 1, customers)
            when = rng.random(n) * span
            kind = rng.integers(0, len(KINDS), n)
            for k in range(n):
                iid = offset + k + 1
                t = (start + dt.timedelta(seconds=float(when[k]))).strftime("%Y-%m-%d %H:%M:%S")
                wi.writerow([iid, int(party[k]), KINDS[kind[k]], "in", "phone", t, "", "", "", "", "", "{}", t, t])
            _progress(f"generated {offset + n} interactions")
    return files


TABLES = {
    "party": ("parties_party", "id, kind, customer_number, status, display_name, search_name, preferred_language, "
                               "custom_fields, created_at, updated_at, version"),
    "person": ("parties_person", "party_ptr_id, given_name, family_name, birth_date, gender"),
    "address": ("parties_address", "id, party_id, kind, street, postcode, city, municipality, region, country, "
                                   "is_primary, created_at, updated_at"),
    "order": ("orders_order", "id, party_id, order_number, ordered_at, channel, source, currency, revenue, cost, "
                              "created_at, updated_at"),
    "interaction": ("interactions_interaction", "id, party_id, kind, direction, channel, occurred_at, subject, body, "
                                                "outcome, source, source_record_id, custom_fields, created_at, "
                                                "updated_at"),
}


def _load(files: dict[str, Path]) -> None:
    from django.db import connections

    pg = connections["default"]
    pg.ensure_connection()
    raw = pg.connection
    for key, (table, columns) in TABLES.items():
        copy = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        with raw.cursor() as cur, cur.copy(copy) as cp, files[key].open("rb") as handle:
            while block := handle.read(1 << 20):
                cp.write(block)
        raw.commit()
        _progress(f"PostgreSQL: loaded {table}")
    with raw.cursor() as cur:
        for table in ("parties_party", "parties_address", "orders_order", "interactions_interaction"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
            cur.execute(f"ANALYZE {table}")
        cur.execute("ANALYZE parties_person")
    raw.commit()
    lite = connections["lite"]
    lite.ensure_connection()
    sq = lite.connection
    sq.execute("PRAGMA foreign_keys=OFF")
    for key, (table, columns) in TABLES.items():
        holes = ", ".join("?" for _ in columns.split(","))
        with files[key].open(newline="") as handle:
            sq.executemany(f"INSERT INTO {table} ({columns}) VALUES ({holes})", csv.reader(handle))
        sq.commit()
        _progress(f"SQLite: loaded {table}")
    sq.execute("ANALYZE")
    sq.commit()


def _time(fn: Any, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _statements(d: Any, rates: dict[str, Any]) -> dict[str, list[Any]]:
    from kundebase.analytics import sql
    from kundebase.analytics.sql import Filters

    end = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    period = Filters(start=end - dt.timedelta(days=365), end=end)
    everything = Filters()
    return {
        "Pareto 80/20 (last 12 months)": [sql.pareto_summary(d, period), sql.pareto_lorenz(d, period),
                                          sql.top_customers(d, period)],
        "Profitability quadrant (last 12 months)": [sql.quadrant_summary(d, period, rates),
                                                    sql.quadrant_unprofitable(d, period, rates)],
        "RFM for every customer": [sql.rfm_segments(d, everything, end)],
        "Geography by municipality": [sql.geography(d, period, "municipality")],
    }


def _run_source(alias: str, statements: list[Any], timeout: float) -> None:
    from django.db import connections

    with connections[alias].cursor() as cur:
        for text, params in statements:
            cur.execute(text, params)
            cur.fetchall()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--interactions", type=int, default=5_000_000)
    parser.add_argument("--timeout", type=float, default=300.0, help="per-query limit on PostgreSQL (seconds)")
    parser.add_argument("--note", default="", help="a sentence added to the recorded output")
    args = parser.parse_args(argv)

    from tests import pgcluster

    work = Path(tempfile.mkdtemp(prefix="kb-bench-analytics-"))
    cluster = pgcluster.start()
    try:
        _setup_django(work / "data", cluster.url)
        files = _generate(work, args.customers, args.orders, args.interactions)
        _load(files)
        for path in files.values():
            path.unlink()
        return _measure(args)
    finally:
        try:
            from django.db import connections

            connections.close_all()
        finally:
            cluster.stop()
            shutil.rmtree(work, ignore_errors=True)


def _measure(args: argparse.Namespace) -> int:
    from django.db import connections

    from kundebase.analytics import engine, reports
    from kundebase.analytics.dialect import DUCKDB, POSTGRESQL, SQLITE
    from kundebase.analytics.sql import Filters
    from kundebase.orders.services import create_order

    with connections["default"].cursor() as cur:
        cur.execute(f"SET statement_timeout = {int(args.timeout * 1000)}")
    mirror = engine.mirror()
    started = time.perf_counter()
    with mirror.open() as con:
        mirror.refresh(con)
    initial = time.perf_counter() - started
    _progress(f"mirror loaded from PostgreSQL in {initial:.1f} s")
    rates = reports.service_costs()
    rows = []
    with mirror.open() as con:
        for (name, duck), pg, lite in zip(_statements(DUCKDB, rates).items(), _statements(POSTGRESQL, rates).values(),
                                          _statements(SQLITE, rates).values(), strict=True):
            t_duck = _time(lambda duck=duck: [con.execute(t, p).fetchall() for t, p in duck])
            _progress(f"{name}: DuckDB {t_duck:.3f} s")
            try:
                t_pg: float | None = _time(lambda pg=pg: _run_source("default", pg, args.timeout), repeat=1)
            except Exception as exc:  # statement_timeout
                _progress(f"{name}: PostgreSQL failed: {exc}")
                connections["default"].close()
                with connections["default"].cursor() as cur:
                    cur.execute(f"SET statement_timeout = {int(args.timeout * 1000)}")
                t_pg = None
            _progress(f"{name}: PostgreSQL {t_pg}")
            t_lite = _time(lambda lite=lite: _run_source("lite", lite, args.timeout), repeat=1)
            _progress(f"{name}: SQLite {t_lite:.3f} s")
            rows.append((name, t_duck, t_pg, t_lite))

    # freshness: commit an order through the service, poll the report as a user would
    party_id = 1
    period = Filters(start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    delays = []
    for attempt in range(3):
        before = reports.compute("pareto", period)["revenue"]
        create_order(party_id=party_id, data={"channel": "web"},
                     lines=[{"revenue": str(12345 + attempt), "cost": "1"}])
        committed = time.perf_counter()
        while abs(reports.compute("pareto", period)["revenue"] - before - (12345 + attempt)) > 0.5:
            if time.perf_counter() - committed > 60:
                break
            time.sleep(0.05)
        delays.append(time.perf_counter() - committed)
        time.sleep(engine.MAX_STALENESS * attempt / 2)
    with mirror.open() as con:
        started = time.perf_counter()
        mirror.refresh(con)
        idle_refresh = time.perf_counter() - started

    lines = [
        f"Book: {args.customers:,} customers, {args.orders:,} orders, {args.interactions:,} interactions "
        "(bulk-generated, heavy-tailed; identical in PostgreSQL 15 and SQLite).",
    ]
    if (args.customers, args.orders, args.interactions) != (1_000_000, 10_000_000, 5_000_000):
        lines.append("**This is smaller than the 1,000,000 / 10,000,000 / 5,000,000 named in the issue** — "
                     "the largest size that fitted in the time available on the shared 2-core machine.")
    if args.note:
        lines.append(args.note)
    lines += [
        "",
        f"Initial mirror load from PostgreSQL (COPY → CSV → DuckDB): {initial:.1f} s. "
        f"Refresh with nothing new: {idle_refresh * 1000:.0f} ms.",
        "",
        "| Report | DuckDB mirror | PostgreSQL (same SQL) | SQLite (same SQL) | PostgreSQL ÷ DuckDB "
        "| SQLite ÷ DuckDB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    failed = False
    for name, t_duck, t_pg, t_lite in rows:
        pg_text = f"{t_pg:.2f} s" if t_pg is not None else f"> {args.timeout:.0f} s (timeout)"
        ratio_pg = f"{t_pg / t_duck:.1f}×" if t_pg is not None else f"> {args.timeout / t_duck:.0f}×"
        lines.append(f"| {name} | {t_duck:.3f} s | {pg_text} | {t_lite:.2f} s | {ratio_pg} | {t_lite / t_duck:.1f}× |")
        if t_duck >= 2 or (t_pg is not None and t_pg / t_duck < 10):
            failed = True
    lines += [
        "",
        f"Freshness (order committed through `orders.services.create_order` → visible in the Pareto report, "
        f"polling every 50 ms, mirror refreshed on read when older than {engine.MAX_STALENESS:.0f} s): "
        + ", ".join(f"{d:.2f} s" for d in delays) + f" (worst {max(delays):.2f} s).",
        "",
        "Targets: each report < 2 s on DuckDB and ≥ 10× faster than PostgreSQL; freshness < 5 s — "
        + ("**not all met** (see above)." if failed or max(delays) >= 5 else "met."),
        "DuckDB times are the best of 3 runs; PostgreSQL and SQLite ran once each (they take long). "
        "On PostgreSQL and SQLite the report SQL reads the normalised Django tables, so the customer/address "
        "join is part of their work — exactly what a report without the mirror would have to do.",
    ]
    text = "\n".join(lines)
    print(text)
    from benchmarks.results import record

    record("analytics", "Analytics: DuckDB mirror vs PostgreSQL and SQLite", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
