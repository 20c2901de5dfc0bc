"""Synthetic customer base for the segment benchmark, generated in DuckDB with SQL and copied to the other engines.

DuckDB makes the rows (``range()`` and ``hash()``: millions per second, no
Python loop), keeps its own copy of every table, and hands the same rows to
SQLite and PostgreSQL as CSV written by DuckDB: PostgreSQL takes them with
``COPY``, SQLite with the ``sqlite3`` shell's ``.import`` (one transaction per
table, in C; a streamed ``executemany`` when the shell is not installed), so
all engines hold identical data and must return identical counts.  Indexes are
dropped during the load and rebuilt afterwards, as a bulk import would.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import duckdb

PLACES = [  # postcode, city, municipality, region, country, weight
    ("0150", "Oslo", "Oslo", "Oslo", "NO", 12), ("0560", "Oslo", "Oslo", "Oslo", "NO", 8),
    ("1337", "Sandvika", "Bærum", "Viken", "NO", 6), ("2000", "Lillestrøm", "Lillestrøm", "Viken", "NO", 5),
    ("3015", "Drammen", "Drammen", "Viken", "NO", 5), ("5003", "Bergen", "Bergen", "Vestland", "NO", 8),
    ("7010", "Trondheim", "Trondheim", "Trøndelag", "NO", 6), ("4006", "Stavanger", "Stavanger", "Rogaland", "NO", 5),
    ("9008", "Tromsø", "Tromsø", "Troms", "NO", 3), ("2100", "København Ø", "København", "Hovedstaden", "DK", 8),
    ("8000", "Aarhus C", "Aarhus", "Midtjylland", "DK", 5), ("10115", "Berlin", "Berlin", "Berlin", "DE", 10),
    ("80331", "München", "München", "Bayern", "DE", 7), ("1051", "Budapest", "Budapest", "Budapest", "HU", 9),
    ("4025", "Debrecen", "Debrecen", "Hajdú-Bihar", "HU", 3),
]
CATEGORIES = [(1, "Outdoor", "outdoor", None), (2, "Hiking", "hiking", 1), (3, "Kitchen", "kitchen", None),
              (4, "Clothing", "clothing", None), (5, "Electronics", "electronics", None)]
TABLES = ["parties_party", "parties_person", "parties_company", "parties_address", "parties_contactpoint",
          "orders_productcategory", "orders_product", "orders_order", "orders_orderline",
          "interactions_interaction", "privacy_purpose", "privacy_consentevent"]


def _h(expr: str, salt: int, mod: int) -> str:
    """A deterministic pseudo-random integer in [0, mod) from DuckDB's hash()."""
    return f"CAST(hash({expr} * 1000003 + {salt}) % {mod} AS BIGINT)"


def generate(con: duckdb.DuckDBPyConnection, *, customers: int, orders_per_customer: int,
             now: dt.datetime) -> dict[str, int]:
    """Create every benchmark table in DuckDB; return row counts."""
    n, m = customers, customers * orders_per_customer
    ts = f"TIMESTAMP '{now:%Y-%m-%d %H:%M:%S}'"
    weights = [w for *_x, w in PLACES]
    total = sum(weights)
    rows = []
    start = 0
    for i, (pc, city, mun, reg, cc, w) in enumerate(PLACES):
        rows.append(f"({i}, {start}, {start + w}, '{pc}', '{city}', '{mun}', '{reg}', '{cc}')")
        start += w
    con.execute("CREATE OR REPLACE TABLE places (i INT, lo INT, hi INT, postcode VARCHAR, city VARCHAR, "
                "municipality VARCHAR, region VARCHAR, country VARCHAR)")
    con.execute("INSERT INTO places VALUES " + ", ".join(rows))
    con.execute(f"""CREATE OR REPLACE TABLE parties_party AS SELECT i AS id, {ts} AS created_at, {ts} AS updated_at,
        1 AS version, CASE WHEN i % 10 = 0 THEN 'company' ELSE 'person' END AS kind, 'C' || i AS customer_number,
        CASE WHEN {_h('i', 1, 10)} < 8 THEN 'active' ELSE 'prospect' END AS status,
        'Customer ' || i AS display_name, 'customer ' || i AS search_name,
        ['nb', 'en', 'da', 'de', 'hu'][{_h('i', 2, 5)} + 1] AS preferred_language, '{{}}' AS custom_fields,
        CAST(NULL AS TIMESTAMP) AS erased_at, CAST(NULL AS TIMESTAMP) AS restricted_at,
        CAST(NULL AS BIGINT) AS merged_into_id FROM range(1, {n + 1}) t(i)""")
    con.execute(f"""CREATE OR REPLACE TABLE parties_person AS SELECT id AS party_ptr_id, 'Given' AS given_name,
        'Family ' || id AS family_name, CAST(DATE '1940-01-01' + CAST({_h('id', 3, 24000)} AS INTEGER) AS DATE)
        AS birth_date, ['female', 'male', 'female', 'male', ''][{_h('id', 4, 5)} + 1] AS gender
        FROM parties_party WHERE kind = 'person'""")
    con.execute(f"""CREATE OR REPLACE TABLE parties_company AS SELECT id AS party_ptr_id, 'Firma ' || id AS legal_name,
        '' AS org_number, '' AS org_number_key, 'NO' AS org_country,
        ['47.11', '47.64', '62.01', '10.11', '46.90'][{_h('id', 5, 5)} + 1] AS industry_code,
        CAST({_h('id', 6, 500)} AS INTEGER) AS employees, CAST(NULL AS DOUBLE) AS annual_revenue, '' AS bank_account,
        CAST(NULL AS INTEGER) AS payment_terms_days, CAST(NULL AS DOUBLE) AS credit_limit,
        ['none', 'none', 'none', 'reminder_1', 'debt_collection'][{_h('id', 7, 5)} + 1] AS dunning_status,
        CAST(NULL AS BIGINT) AS parent_id FROM parties_party WHERE kind = 'company'""")
    con.execute(f"""CREATE OR REPLACE TABLE parties_address AS SELECT p.id AS id, {ts} AS created_at,
        {ts} AS updated_at, 'postal' AS kind, 'Gate ' || p.id AS street, pl.postcode, pl.city, pl.municipality,
        pl.region, pl.country, TRUE AS is_primary, CAST(NULL AS DATE) AS valid_from, p.id AS party_id
        FROM parties_party p JOIN places pl ON {_h('p.id', 8, total)} >= pl.lo AND {_h('p.id', 8, total)} < pl.hi""")
    con.execute(f"""CREATE OR REPLACE TABLE parties_contactpoint AS SELECT id, {ts} AS created_at, {ts} AS updated_at,
        'email' AS kind, 'c' || id || '@example.org' AS value, 'c' || id || '@example.org' AS normalised,
        '' AS label, TRUE AS is_primary, FALSE AS is_verified, id AS party_id FROM parties_party""")
    con.execute("CREATE OR REPLACE TABLE orders_productcategory (id BIGINT, name VARCHAR, slug VARCHAR, "
                "parent_id BIGINT)")
    con.executemany("INSERT INTO orders_productcategory VALUES (?, ?, ?, ?)", CATEGORIES)
    con.execute("""CREATE OR REPLACE TABLE orders_product AS SELECT i AS id, 'SKU-' || i AS sku,
        'Product ' || i AS name, 100.0 AS list_price, 50.0 AS unit_cost, TRUE AS active,
        CAST(i % 5 + 1 AS BIGINT) AS category_id FROM range(1, 41) t(i)""")
    # Heavy-tailed: party = N * u^2 puts most orders on a minority of customers.
    con.execute(f"""CREATE OR REPLACE TABLE orders_order AS SELECT j AS id, {ts} AS created_at, {ts} AS updated_at,
        'O' || j AS order_number,
        {ts} - to_seconds(CAST({_h('j', 9, 3 * 365 * 86400)} AS BIGINT)) AS ordered_at, 'web' AS channel,
        '' AS source, 'NOK' AS currency, CAST(50 + {_h('j', 10, 2000)} AS DOUBLE) AS revenue,
        CAST((50 + {_h('j', 10, 2000)}) * (0.4 + {_h('j', 11, 8)} / 10.0) AS DOUBLE) AS cost,
        CAST(NULL AS TIMESTAMP) AS anonymised_at,
        CAST(1 + floor({n} * pow({_h('j', 12, 1000000)} / 1000000.0, 2)) AS BIGINT) AS party_id
        FROM range(1, {m + 1}) t(j)""")
    con.execute(f"""CREATE OR REPLACE TABLE orders_orderline AS SELECT id, '' AS description, 1.0 AS quantity,
        revenue, cost, id AS order_id, CAST(1 + {_h('id', 13, 40)} AS BIGINT) AS product_id FROM orders_order""")
    k = n * 2
    con.execute(f"""CREATE OR REPLACE TABLE interactions_interaction AS SELECT x AS id, {ts} AS created_at,
        {ts} AS updated_at, ['call', 'email', 'meeting', 'letter'][{_h('x', 14, 4)} + 1] AS kind, 'out' AS direction,
        ['phone', 'email', 'in_person', 'post'][{_h('x', 14, 4)} + 1] AS channel,
        {ts} - to_seconds(CAST({_h('x', 15, 365 * 86400)} AS BIGINT)) AS occurred_at, '' AS subject, '' AS body,
        '' AS outcome, CAST(NULL AS DATE) AS follow_up_on, CAST(NULL AS TIMESTAMP) AS follow_up_done_at,
        '' AS source, '' AS source_record_id, '{{}}' AS custom_fields, CAST(NULL AS BIGINT) AS contact_person_id,
        CAST(NULL AS BIGINT) AS handled_by_id, CAST(1 + {_h('x', 16, n)} AS BIGINT) AS party_id
        FROM range(1, {k + 1}) t(x)""")
    con.execute("""CREATE OR REPLACE TABLE privacy_purpose AS SELECT 1 AS id, 'direct_marketing' AS key,
        'Direct marketing' AS name, 'Offers by e-mail' AS description, 'consent' AS legal_basis,
        TRUE AS requires_consent, TRUE AS active""")
    con.execute(f"""CREATE OR REPLACE TABLE privacy_consentevent AS SELECT id, 'email' AS channel,
        CASE WHEN {_h('id', 17, 100)} < 85 THEN 'granted' ELSE 'withdrawn' END AS status, 'consent' AS legal_basis,
        '' AS explanation, 'form' AS source, '' AS source_detail,
        {ts} - to_seconds(CAST(86400 + {_h('id', 18, 700 * 86400)} AS BIGINT)) AS captured_at,
        {ts} - to_seconds(CAST(86400 + {_h('id', 18, 700 * 86400)} AS BIGINT)) AS recorded_at, '' AS notice_version,
        CAST(NULL AS TIMESTAMP) AS double_opt_in_at, CAST(NULL AS TIMESTAMP) AS valid_from,
        CAST(NULL AS TIMESTAMP) AS valid_until, '' AS recorded_by, id AS party_id, CAST(1 AS BIGINT) AS purpose_id
        FROM parties_party WHERE {_h('id', 19, 10)} < 6""")
    return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchall()[0][0] for t in TABLES}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"DESCRIBE {table}").fetchall()]


def _as_text(name: str, kind: str) -> str:
    if kind.startswith("TIMESTAMP"):
        return f"strftime({name}, '%Y-%m-%d %H:%M:%S')"
    if kind == "DATE":
        return f"strftime({name}, '%Y-%m-%d')"
    return name


def _csv_select(con: duckdb.DuckDBPyConnection, table: str) -> tuple[list[str], list[str], list[str]]:
    """Columns to write, their SQL in SQLite's text forms, and which of them hold some NULLs.

    The shell's ``.import`` cannot tell NULL from an empty text, so columns that are NULL in
    every row are left out (they default to NULL) and partly-NULL ones are written empty and
    turned back with ``NULLIF``.
    """
    cols = _columns(con, table)
    counts = con.execute(f"SELECT COUNT(*), {', '.join(f'COUNT({c})' for c, _k in cols)} FROM {table}").fetchall()[0]
    total, present = counts[0], counts[1:]
    names, exprs, partly = [], [], []
    for (name, kind), have in zip(cols, present, strict=True):
        if have == 0 and total:
            continue
        names.append(name)
        exprs.append(f"CAST({name} AS INTEGER) AS {name}" if kind == "BOOLEAN" else f"{_as_text(name, kind)} AS {name}")
        if have < total:
            partly.append(name)
    return names, exprs, partly


def load_sqlite(con: duckdb.DuckDBPyConnection, path: Path, folder: Path, progress: Any = None) -> None:
    """Copy every table from DuckDB into the migrated SQLite file (indexes rebuilt after the load)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys=OFF")
    indexes = db.execute("SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL AND tbl_name IN "
                         f"({','.join('?' * len(TABLES))})", TABLES).fetchall()
    for name, _sql in indexes:
        db.execute(f'DROP INDEX "{name}"')
    for table in TABLES:
        db.execute(f"DELETE FROM {table}")
    db.commit()
    shell = shutil.which("sqlite3")
    for table in TABLES:
        if shell:
            db.close()
            _import_with_shell(con, shell, path, folder, table)
            db = sqlite3.connect(path)
        else:
            _stream(con, db, table)
        if progress:
            progress(table)
    db.execute("PRAGMA synchronous=OFF")
    for _name, sql in indexes:
        db.execute(sql)
    db.execute("PRAGMA analysis_limit = 10000")  # sampled statistics, as PRAGMA optimize would gather
    db.execute("ANALYZE")
    db.commit()
    db.close()


def _import_with_shell(con: duckdb.DuckDBPyConnection, shell: str, path: Path, folder: Path, table: str) -> None:
    names, exprs, partly = _csv_select(con, table)
    csv_path = folder / f"{table}.sqlite.csv"
    con.execute(f"COPY (SELECT {', '.join(exprs)} FROM {table}) TO '{csv_path}' (HEADER true)")
    values = ", ".join(f"NULLIF({n}, '')" if n in partly else n for n in names)
    script = "\n".join([
        "PRAGMA synchronous=OFF;", "PRAGMA journal_mode=OFF;", "PRAGMA foreign_keys=OFF;",
        "DROP TABLE IF EXISTS _load;", f".import --csv {csv_path} _load",
        f"INSERT INTO {table} ({', '.join(names)}) SELECT {values} FROM _load;", "DROP TABLE _load;", ""])
    subprocess.run([shell, "-bail", str(path)], input=script, text=True, check=True, capture_output=True)
    csv_path.unlink()


def _stream(con: duckdb.DuckDBPyConnection, db: sqlite3.Connection, table: str) -> None:
    cols = _columns(con, table)
    names = ", ".join(c for c, _k in cols)
    cursor = con.execute(f"SELECT {', '.join(_as_text(c, k) for c, k in cols)} FROM {table}")
    insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(cols))})"
    while batch := cursor.fetchmany(100_000):
        db.executemany(insert, batch)
    db.commit()


def load_postgres(con: duckdb.DuckDBPyConnection, url_parts: dict[str, Any], folder: Path,
                  progress: Any = None) -> None:
    """COPY every table from DuckDB-written CSV into the migrated PostgreSQL database."""
    import psycopg

    with psycopg.connect(**url_parts, autocommit=True) as pg:
        pg.execute("SET session_replication_role = replica")  # no FK triggers during the bulk load
        pg.execute("SET TIME ZONE 'UTC'")
        pg.execute("SET maintenance_work_mem = '1GB'")  # index builds after the load sort in memory
        pg.execute("ALTER SYSTEM SET max_wal_size = '16GB'")  # no checkpoint storm while loading
        pg.execute("SELECT pg_reload_conf()")
        indexes = pg.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)", [TABLES]).fetchall()
        for name, _sql in indexes:
            pg.execute(f'DROP INDEX "{name}"')
        for table in TABLES:
            cols = [c for c, _k in _columns(con, table)]
            csv_path = folder / f"{table}.csv"
            con.execute(f"COPY (SELECT {', '.join(cols)} FROM {table}) TO '{csv_path}' (HEADER false)")
            with pg.transaction():  # FREEZE: rows written frozen and visible, no vacuum pass to rewrite them
                pg.execute(f"TRUNCATE {table} CASCADE")
                with pg.cursor().copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN WITH (FORMAT csv, FREEZE)") \
                        as copy, csv_path.open("rb") as handle:
                    while chunk := handle.read(1 << 20):
                        copy.write(chunk)
            csv_path.unlink()
            if progress:
                progress(table)
        for _name, sql in indexes:
            pg.execute(sql)
        for table in TABLES:
            pg.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                       if table not in ("parties_person", "parties_company") else "SELECT 1")
        pg.execute("VACUUM (ANALYZE)")  # statistics and the visibility map autovacuum would leave behind


def copy_centroids_to_duckdb(con: duckdb.DuckDBPyConnection, sqlite_path: Path) -> None:
    db = sqlite3.connect(sqlite_path)
    rows = db.execute("SELECT id, country, postcode, place, lat, lon FROM marketing_postcodecentroid").fetchall()
    db.close()
    con.execute("CREATE OR REPLACE TABLE marketing_postcodecentroid (id BIGINT, country VARCHAR, postcode VARCHAR, "
                "place VARCHAR, lat DOUBLE, lon DOUBLE)")
    con.executemany("INSERT INTO marketing_postcodecentroid VALUES (?, ?, ?, ?, ?, ?)", rows)
