"""The analytics benchmark's book, generated once in DuckDB and bulk-loaded into PostgreSQL and SQLite.

Generating ten million orders row by row in Python took longer than the benchmark itself, so the book
is made by set-based SQL in an in-memory DuckDB: every random draw is a hash of the row number and a
draw number (deterministic, parallel, no state), written straight to CSV files in the column order of
the Django tables.  PostgreSQL reads them with ``COPY`` and SQLite with ``executemany`` — both with
their secondary indexes and foreign keys dropped during the load and built afterwards, because
maintaining a B-tree per row is what made the earlier full-size load take more than twenty minutes.

Shape of the book (as in the first version of the benchmark): persons spread over five countries and
their regions; order counts heavy-tailed by customer id (``party = ⌊n·u^2.2⌋ + 1``, so low ids buy
most), log-normal revenue, and every fiftieth customer (id ≡ 7 mod 50) buying often at a thin margin
and contacting us a lot.
"""

from __future__ import annotations

import csv
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

SEED = 20261123
START = "2023-11-02 00:00:00"
SPAN_SECONDS = 3 * 365 * 86400
STAMP = "2026-11-01 00:00:00"
COUNTRIES = [("NO", ["Oslo", "Viken", "Vestland", "Trøndelag", "Rogaland"]),
             ("DK", ["Hovedstaden", "Midtjylland", "Syddanmark"]), ("DE", ["Bayern", "Berlin", "Hessen"]),
             ("HU", ["Budapest", "Pest", "Győr-Moson-Sopron"]), ("SE", ["Stockholm", "Skåne"])]
CHANNELS = ["web", "store", "phone", "sales", "email", "other"]
KINDS = ["inquiry", "email", "call", "meeting", "note", "web_visit", "visit", "letter"]

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
"""Each CSV file's Django table and its columns, in file order."""

Progress = Callable[[str], None]


def _u(draw: int) -> str:
    """A uniform number in [0, 1) for row ``i``: the hash of the row, the seed and the draw number."""
    return f"(hash(i, {SEED}, {draw}) >> 11)::DOUBLE / 9007199254740992.0"


def _pick(values: list[str], draw: int) -> str:
    items = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"([{items}])[1 + floor({_u(draw)} * {len(values)})::INTEGER]"


def _when(draw: int) -> str:
    return (f"strftime(TIMESTAMP '{START}' + to_seconds(floor({_u(draw)} * {SPAN_SECONDS})::BIGINT), "
            "'%Y-%m-%d %H:%M:%S')")


def generate(folder: Path, customers: int, orders: int, interactions: int, progress: Progress) -> dict[str, Path]:
    """Write one CSV file per Django table into ``folder``; timestamps are naive UTC text."""
    con = duckdb.connect()
    files = {key: folder / f"{key}.csv" for key in TABLES}

    def copy(key: str, select: str) -> None:
        started = time.perf_counter()
        con.execute(f"COPY ({select}) TO '{files[key]}' (FORMAT csv, HEADER false)")
        progress(f"generated {key} in {time.perf_counter() - started:.1f} s")

    regions = [r for _c, rs in COUNTRIES for r in rs]
    offsets, start = [], 0
    for _country, rs in COUNTRIES:
        offsets.append(start)
        start += len(rs)
    sizes = ", ".join(str(len(rs)) for _c, rs in COUNTRIES)
    firsts = ", ".join(str(o) for o in offsets)
    region_list = ", ".join("'" + r + "'" for r in regions)
    country_list = ", ".join("'" + c + "'" for c, _rs in COUNTRIES)
    people = f"FROM range(1, {customers + 1}) t(i)"
    copy("party", f"SELECT i, 'person', printf('K%08d', i), 'active', 'Kunde ' || i, 'kunde ' || i, '', '{{}}', "
                  f"'{STAMP}', '{STAMP}', 1 {people}")
    gender = f"CASE WHEN {_u(2)} < 0.48 THEN 'female' WHEN {_u(2)} < 0.96 THEN 'male' ELSE '' END"
    copy("person", f"SELECT i, 'Kunde', i::VARCHAR, DATE '1945-01-01' + floor({_u(1)} * 21900)::INTEGER, "
                   f"{gender} {people}")
    country_idx = f"floor({_u(3)} * {len(COUNTRIES)})::INTEGER"
    copy("address", f"""
        WITH a AS (SELECT i, {country_idx} AS c, floor({_u(4)} * 5)::INTEGER AS r {people}),
        b AS (SELECT i, ([{country_list}])[c + 1] AS country,
                     ([{region_list}])[([{firsts}])[c + 1] + r % ([{sizes}])[c + 1] + 1] AS region FROM a)
        SELECT i, i, 'postal', 'Gate 1', (i % 9000 + 1000)::VARCHAR, region || ' ' || (i % 40),
               region || ' ' || (i % 40), region, country, 1, '{STAMP}', '{STAMP}' FROM b""")
    revenue = f"round(exp(6.0 + sqrt(-2 * ln(1 - {_u(12)})) * cos(2 * pi() * {_u(13)})), 2)"
    copy("order", f"""
        WITH a AS (SELECT i, least(floor({customers} * pow({_u(11)}, 2.2))::BIGINT + 1, {customers}) AS party,
                          {_when(14)} AS t, {revenue} AS revenue, {_pick(CHANNELS, 16)} AS channel
                   FROM range(1, {orders + 1}) t(i)),
        b AS (SELECT *, CASE WHEN party % 50 = 7 THEN 0.92 + 0.10 * {_u(15)} ELSE 0.4 + 0.4 * {_u(15)} END AS ratio
              FROM a)
        SELECT i, party, printf('O%09d', i), t, channel, CASE WHEN channel = 'web' THEN 'google' ELSE '' END,
               'NOK', printf('%.2f', revenue), printf('%.2f', round(revenue * ratio, 2)), t, t FROM b""")
    copy("interaction", f"""
        WITH a AS (SELECT i, least(floor({customers} * pow({_u(21)}, 2.0))::BIGINT + 1, {customers}) AS p
                   FROM range(1, {interactions + 1}) t(i)),
        b AS (SELECT i, least(greatest(CASE WHEN {_u(22)} < 0.15 THEN (p // 50) * 50 + 7 ELSE p END, 1),
                              {customers}) AS party FROM a)
        SELECT i, party, {_pick(KINDS, 23)}, 'in', 'phone', {_when(24)} AS t, '', '', '', '', '', '{{}}', t, t
        FROM b""")
    con.close()
    return files


# -- PostgreSQL ------------------------------------------------------------------------------------------
def _pg_secondary(cur: Any, table: str) -> tuple[list[str], list[str]]:
    """Drop ``table``'s foreign keys, unique constraints and plain indexes; return the SQL to rebuild them."""
    cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')", [table])
    constraints = cur.fetchall()
    cur.execute("SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", [table])
    indexes = cur.fetchall()
    for name, _definition in constraints:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    return ([definition for _name, definition in indexes],
            [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for name, definition in constraints])


def load_postgresql(conninfo: dict[str, Any], files: dict[str, Path], progress: Progress) -> None:
    """COPY the files in with indexes and foreign keys dropped, then rebuild them and ANALYZE.

    The cluster already runs with ``fsync=off`` and ``synchronous_commit=off`` (a throwaway benchmark
    store); ``max_wal_size`` is raised so the load is not interrupted by a checkpoint every gigabyte.
    The primary keys stay: ids arrive in ascending order, which only ever appends to the rightmost leaf.
    """
    import psycopg

    raw = psycopg.connect(**conninfo, autocommit=True)
    with raw.cursor() as cur:
        cur.execute("ALTER SYSTEM SET max_wal_size = '8GB'")
        cur.execute("SELECT pg_reload_conf()")
    raw.autocommit = False
    rebuild_indexes: list[str] = []
    rebuild_constraints: list[str] = []
    with raw.cursor() as cur:
        for _key, (table, _columns) in TABLES.items():
            indexes, constraints = _pg_secondary(cur, table)
            rebuild_indexes += indexes
            rebuild_constraints += constraints
    raw.commit()
    for key, (table, columns) in TABLES.items():
        started = time.perf_counter()
        copy = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        with raw.cursor() as cur, cur.copy(copy) as cp, files[key].open("rb") as handle:
            while block := handle.read(1 << 22):
                cp.write(block)
        raw.commit()
        progress(f"PostgreSQL: copied {table} in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with raw.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        for statement in rebuild_indexes + rebuild_constraints:
            cur.execute(statement)
        raw.commit()
        for key, (table, _columns) in TABLES.items():
            if key != "person":
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        raw.commit()
    progress(f"PostgreSQL: indexes and foreign keys rebuilt in {time.perf_counter() - started:.1f} s")
    raw.autocommit = True
    with raw.cursor() as cur:
        cur.execute("VACUUM ANALYZE")  # visibility map for index-only scans, statistics for the planner
        cur.execute("ALTER SYSTEM RESET max_wal_size")
        cur.execute("SELECT pg_reload_conf()")
    raw.close()
    progress("PostgreSQL: VACUUM ANALYZE done")


# -- SQLite ----------------------------------------------------------------------------------------------
def load_sqlite(path: Path, files: dict[str, Path], progress: Progress) -> None:
    """Insert in one transaction per table with journalling off and the secondary indexes dropped.

    ``journal_mode=OFF`` / ``synchronous=OFF`` are for the load only (a crash would leave a benchmark
    store half-written, nothing else); the file goes back to WAL, as Kundebase runs it, before timing.
    """
    con = sqlite3.connect(str(path), isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA foreign_keys=OFF")
    con.execute("PRAGMA cache_size=-1048576")
    tables = [table for table, _columns in TABLES.values()]
    holes = ", ".join("?" for _ in tables)
    indexes = con.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                          f"AND tbl_name IN ({holes})", tables).fetchall()
    for name, _sql in indexes:
        con.execute(f'DROP INDEX "{name}"')
    for key, (table, columns) in TABLES.items():
        started = time.perf_counter()
        marks = ", ".join("?" for _ in columns.split(","))
        con.execute("BEGIN")
        with files[key].open(newline="", encoding="utf-8") as handle:
            con.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", csv.reader(handle))
        con.execute("COMMIT")
        progress(f"SQLite: inserted {table} in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    con.execute("BEGIN")
    for _name, statement in indexes:
        con.execute(statement)
    con.execute("COMMIT")
    con.execute("ANALYZE")
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    progress(f"SQLite: indexes rebuilt and analysed in {time.perf_counter() - started:.1f} s")

