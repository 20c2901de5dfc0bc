"""The DuckDB mirror of the operational data, kept fresh without an export step.

``analytics.duckdb`` under the data directory holds three tables (``customers``,
``orders``, ``interactions``) in the shape of :data:`tables.MIRROR_COLUMNS`.
No DuckDB extension is needed (the sqlite/postgres scanners download at run
time, which we cannot rely on): rows are read through Django's own connection
— ``COPY … TO STDOUT`` on PostgreSQL, a cursor on SQLite — written as CSV and
bulk-loaded by DuckDB's CSV reader.

Freshness, in three layers:

* **new rows** by an ``id`` watermark per table (cheap on the primary key; also catches bulk inserts
  that fire no signals);
* **changed and deleted rows** from :class:`~kundebase.analytics.models.ChangeMark` rows that signal
  handlers write in the same transaction as the change (so they commit with it);
* **anything else** (raw SQL, restores) by a periodic key reconciliation: when a table's row count
  differs from the source, the key sets are compared and the difference is fixed.

Besides the three mirrored tables the mirror keeps ``customer_totals`` (all-time orders, revenue,
cost, first and last order per customer).  Every path that writes or deletes mirrored orders notes the
customers concerned in a temporary ``_touched`` table, and the end of a refresh recomputes just their
rows, so the table is as fresh as the orders themselves at the cost of one indexed pass over the few
customers that changed; reports over whole histories (RFM for everyone) read it instead of every order.

Every read calls :func:`reading`, which refreshes first when the source has new rows or change marks (one
indexed probe of the newest ids, :meth:`Mirror.behind`) or when the mirror is older than ``MAX_STALENESS``
seconds; ``kundebase analytics refresh`` does the same from the command line.
DuckDB lets one process write a database file at a time, so each use opens the file under an
exclusive file lock and closes it again — cheap, and safe with several web workers.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings
from django.db import connections
from django.utils import timezone

from kundebase.analytics.tables import MIRROR_COLUMNS, SOURCE_ALIASES, SOURCE_TABLES, TOTALS_COLUMNS, source_select
from kundebase.core.dialect import Dialect, for_connection

log = logging.getLogger(__name__)

MAX_STALENESS = 2.0
"""Seconds a read may see an old mirror before it refreshes first (the documented freshness delay)."""
RECONCILE_EVERY = 60.0
"""Seconds between row-count checks that trigger a full key reconciliation on a mismatch."""
KEEP_MARKS = 7 * 86400.0
"""Change marks older than this are pruned; a mirror not refreshed for that long is rebuilt from scratch."""
NULL = "\\N"
SCHEMA_VERSION = "2"
_LOCAL = threading.Lock()


@dataclass
class RefreshStats:
    loaded: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    reconciled: list[str] = field(default_factory=list)
    full: bool = False
    seconds: float = 0.0


def mirror_path() -> Path:
    return Path(settings.KUNDEBASE_DATA_DIR) / "analytics.duckdb"


def _source_identity(alias: str) -> str:
    db = connections[alias].settings_dict
    return f"{for_connection(connections[alias]).name}:{db.get('HOST', '')}:{db.get('PORT', '')}:{db['NAME']}"


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with _LOCAL, open(str(path) + ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Mirror:
    """One DuckDB file mirroring one operational database."""

    def __init__(self, path: Path | None = None, alias: str = "default") -> None:
        self.path = path or mirror_path()
        self.alias = alias

    # -- opening -----------------------------------------------------------------------------------
    @contextmanager
    def open(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with _locked(self.path):
            con = duckdb.connect(str(self.path))
            try:
                con.execute("SET TimeZone = 'UTC'")
                self._ensure_schema(con)
                yield con
            finally:
                con.close()

    def _ensure_schema(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute("CREATE TABLE IF NOT EXISTS _meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        rows = dict(con.execute("SELECT key, value FROM _meta").fetchall())
        identity = _source_identity(self.alias)
        if rows.get("source") != identity or rows.get("schema") != SCHEMA_VERSION:
            self._drop_all(con)
            con.execute("INSERT OR REPLACE INTO _meta VALUES ('source', ?), ('schema', ?)", [identity, SCHEMA_VERSION])
        for table, columns in [*MIRROR_COLUMNS.items(), ("customer_totals", TOTALS_COLUMNS)]:
            cols = ", ".join(f"{name} {kind}" for name, kind in columns)
            con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({cols})")
        con.execute("CREATE TABLE IF NOT EXISTS _sync (tbl VARCHAR PRIMARY KEY, max_id BIGINT, change_id BIGINT, "
                    "refreshed_at DOUBLE, reconciled_at DOUBLE)")
        con.execute("CREATE TABLE IF NOT EXISTS _models (name VARCHAR PRIMARY KEY, fitted_at DOUBLE, "
                    "params VARCHAR)")

    def _drop_all(self, con: duckdb.DuckDBPyConnection) -> None:
        for table in [*MIRROR_COLUMNS, "customer_totals", "_sync", "_models"]:
            con.execute(f"DROP TABLE IF EXISTS {table}")

    def reset(self) -> None:
        """Forget everything; the next read loads the mirror from scratch."""
        with _locked(self.path):
            for suffix in ("", ".wal"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)

    # -- refreshing --------------------------------------------------------------------------------
    @property
    def source_dialect(self) -> Dialect:
        return for_connection(connections[self.alias])

    def age(self, con: duckdb.DuckDBPyConnection) -> float:
        rows = con.execute("SELECT MIN(refreshed_at) FROM _sync").fetchall()
        count = con.execute("SELECT COUNT(*) FROM _sync").fetchall()[0][0]
        if not rows or rows[0][0] is None or count < len(MIRROR_COLUMNS):
            return float("inf")
        return time.time() - rows[0][0]

    def probe(self) -> str:
        """The source's newest row ids and change mark, in one indexed query (``MAX`` of primary keys)."""
        from kundebase.analytics.models import ChangeMark

        newest = [f"(SELECT MAX(id) FROM {SOURCE_TABLES[table]})" for table in MIRROR_COLUMNS]
        newest.append(f"(SELECT MAX(id) FROM {ChangeMark._meta.db_table})")
        with connections[self.alias].cursor() as cur:
            cur.execute("SELECT " + ", ".join(newest))
            return ",".join(str(value) for value in cur.fetchone())

    def behind(self, con: duckdb.DuckDBPyConnection, tables: Sequence[str] | None = None) -> bool:
        """Whether the source has rows or change marks the mirror has not read: its probe differs from the one
        taken when the mirror last refreshed.  Anything committed after that probe changes it, so a new order
        makes the very next read refresh (and a read with nothing new costs one indexed query).  ``tables``
        limits the new rows that count to those tables (change marks always count)."""
        stored = con.execute("SELECT value FROM _meta WHERE key = 'probe'").fetchall()
        if not stored:
            return True
        now, then = self.probe().split(","), stored[0][0].split(",")
        if len(now) != len(then):
            return True
        names = [*MIRROR_COLUMNS, "changes"]
        wanted = set(tables or MIRROR_COLUMNS) | {"changes"}
        return any(a != b for name, a, b in zip(names, now, then, strict=True) if name in wanted)

    def refresh(self, con: duckdb.DuckDBPyConnection, *, reconcile: bool = False,
                progress: Any = None) -> RefreshStats:
        """Bring the mirror up to date; ``reconcile`` forces the key comparison on every table.

        One DuckDB transaction: a refresh that fails half-way leaves the mirror (and the totals
        derived from it) as they were, so the next refresh starts again from the same watermarks.
        """
        seen = self.probe()
        con.begin()
        try:
            stats = self._refresh(con, reconcile=reconcile, progress=progress)
            con.execute("INSERT OR REPLACE INTO _meta VALUES ('probe', ?)", [seen])
        except BaseException:
            con.rollback()
            raise
        con.commit()
        return stats

    def _refresh(self, con: duckdb.DuckDBPyConnection, *, reconcile: bool, progress: Any) -> RefreshStats:
        started = time.perf_counter()
        stats = RefreshStats()
        from kundebase.analytics.models import ChangeMark

        if self.age(con) > KEEP_MARKS - 3600 and self.age(con) != float("inf"):
            self._drop_all(con)  # marks it relied on may be pruned: start over rather than miss changes
            self._ensure_schema(con)
        checked = False
        con.execute("CREATE OR REPLACE TEMP TABLE _touched (party_id BIGINT)")
        last_change = ChangeMark.objects.using(self.alias).order_by("-id").values_list("id", flat=True).first() or 0
        for table in MIRROR_COLUMNS:
            state = con.execute("SELECT max_id, change_id, reconciled_at FROM _sync WHERE tbl = ?", [table]).fetchall()
            max_id, change_id, reconciled_at = state[0] if state else (None, 0, 0.0)
            if max_id is None:
                stats.full = True
                stats.loaded[table] = self._load(con, table, "", [], replace=False, progress=progress,
                                                 first=True)
            else:
                changed = list(ChangeMark.objects.using(self.alias)
                               .filter(table=table, id__gt=change_id, id__lte=last_change)
                               .values_list("row_id", flat=True).distinct())
                loaded = deleted = 0
                for start in range(0, len(changed), 5000):
                    chunk = changed[start:start + 5000]
                    alias = SOURCE_ALIASES[table]
                    holes = ", ".join("?" for _ in chunk)
                    deleted += self._delete(con, table, chunk)
                    loaded += self._load(con, table, f"{alias}.id IN ({holes})", chunk, replace=False)
                alias = SOURCE_ALIASES[table]
                loaded += self._load(con, table, f"{alias}.id > ?", [max_id], replace=True)
                stats.loaded[table] = loaded
                stats.deleted[table] = deleted
                if reconcile or time.time() - (reconciled_at or 0) > RECONCILE_EVERY:
                    checked = True
                    if self._reconcile(con, table, force=reconcile):
                        stats.reconciled.append(table)
                    reconciled_at = time.time()
            if table == "orders":
                self._update_totals(con, everything=max_id is None)
            new_max = con.execute(f"SELECT MAX(id) FROM {table}").fetchall()[0][0] or 0
            con.execute("INSERT OR REPLACE INTO _sync VALUES (?, ?, ?, ?, ?)",
                        [table, new_max, last_change, time.time(), reconciled_at or time.time()])
        buyers_changed = stats.full or any(stats.deleted.values()) or stats.loaded.get("orders") \
            or bool(stats.reconciled)
        if buyers_changed:  # what RFM scores everyone by may have moved (rfm_lookup caches by this stamp)
            con.execute("INSERT OR REPLACE INTO _meta VALUES ('buyers_changed', ?)", [repr(time.time())])
        if checked or stats.full:
            cutoff = timezone.now() - dt.timedelta(seconds=KEEP_MARKS)
            ChangeMark.objects.using(self.alias).filter(at__lt=cutoff).delete()
        stats.seconds = time.perf_counter() - started
        return stats

    def _update_totals(self, con: duckdb.DuckDBPyConnection, *, everything: bool) -> None:
        """Recompute ``customer_totals`` for the touched customers (all of them after a first load)."""
        figures = ("SELECT party_id, COUNT(*), CAST(SUM(revenue) AS DECIMAL(18,2)), "
                   "CAST(SUM(cost) AS DECIMAL(18,2)), MIN(ordered_at), MAX(ordered_at) FROM orders")
        if everything:
            con.execute("DELETE FROM customer_totals")
            con.execute(f"INSERT INTO customer_totals {figures} GROUP BY party_id")
            return
        if not con.execute("SELECT COUNT(*) FROM _touched").fetchall()[0][0]:
            return
        con.execute("CREATE OR REPLACE TEMP TABLE _touched_ids AS SELECT DISTINCT party_id FROM _touched")
        con.execute("DELETE FROM customer_totals WHERE party_id IN (SELECT party_id FROM _touched_ids)")
        con.execute(f"INSERT INTO customer_totals {figures} "
                    "WHERE party_id IN (SELECT party_id FROM _touched_ids) GROUP BY party_id")
        con.execute("DELETE FROM _touched")
        con.execute("DROP TABLE _touched_ids")

    def _touch(self, con: duckdb.DuckDBPyConnection, table: str, where: str) -> None:
        """Note the customers of the mirrored ``orders`` rows matching ``where`` before they change."""
        if table == "orders":
            con.execute(f"INSERT INTO _touched SELECT party_id FROM orders WHERE {where}")

    def _delete(self, con: duckdb.DuckDBPyConnection, table: str, ids: list[int]) -> int:
        con.execute("CREATE OR REPLACE TEMP TABLE _ids (id BIGINT)")
        con.executemany("INSERT INTO _ids VALUES (?)", [[i] for i in ids])
        self._touch(con, table, "id IN (SELECT id FROM _ids)")
        count = con.execute(f"SELECT COUNT(*) FROM {table} WHERE id IN (SELECT id FROM _ids)").fetchall()[0][0]
        con.execute(f"DELETE FROM {table} WHERE id IN (SELECT id FROM _ids)")
        if table == "interactions":
            from kundebase.analytics.text import analysis

            analysis.forget(con, "_ids")
        return int(count)

    def _load(self, con: duckdb.DuckDBPyConnection, table: str, where: str, params: Sequence[int], *,
              replace: bool, progress: Any = None, first: bool = False) -> int:
        """Copy the source rows matching ``where`` into the mirror (replacing rows with the same id).

        ``first`` marks the initial load, whose totals are computed for everyone afterwards anyway.
        """
        d = self.source_dialect
        sql = source_select(d, table)
        if where:
            sql += (" AND " if "WHERE" in sql.split("FROM", 1)[1] else " WHERE ") + where
        with tempfile.NamedTemporaryFile("w", suffix=".csv", dir=self.path.parent, newline="",
                                         encoding="utf-8", delete=True) as handle:
            rows = self._export(d, sql, params, handle, progress)
            handle.flush()
            if not rows:
                return 0
            columns = MIRROR_COLUMNS[table]
            spec = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns) + "}"
            source = (f"read_csv('{handle.name}', header = false, columns = {spec}, nullstr = '{NULL}', "
                      "allow_quoted_nulls = false, quote = '\"', escape = '\"', delim = ',', "
                      "timestampformat = '%Y-%m-%d %H:%M:%S.%f')")
            if replace or (table == "orders" and not first):
                con.execute(f"CREATE OR REPLACE TEMP TABLE _stage AS SELECT * FROM {source}")
                if table == "orders":
                    con.execute("INSERT INTO _touched SELECT party_id FROM _stage")
                if replace:
                    self._touch(con, table, "id IN (SELECT id FROM _stage)")
                    con.execute(f"DELETE FROM {table} WHERE id IN (SELECT id FROM _stage)")
                con.execute(f"INSERT INTO {table} SELECT * FROM _stage")
                con.execute("DROP TABLE _stage")
            else:
                con.execute(f"INSERT INTO {table} SELECT * FROM {source}")
        return rows

    def _export(self, d: Dialect, sql: str, params: Sequence[int], handle: Any, progress: Any) -> int:
        # COPY … TO STDOUT on PostgreSQL, a cursor elsewhere: the dialect writes the CSV the mirror loads.
        return d.export_csv(connections[self.alias], sql, params, handle, null=NULL, cell=_csv_cell,
                            progress=progress)

    def _reconcile(self, con: duckdb.DuckDBPyConnection, table: str, *, force: bool) -> bool:
        """Compare key sets when counts differ (or when forced); delete extra rows, load missing ones."""
        source_table = SOURCE_TABLES[table]
        extra_where = " WHERE merged_into_id IS NULL" if table == "customers" else ""
        with connections[self.alias].cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {source_table}{extra_where}")
            source_count = cur.fetchone()[0]
        mirror_count = con.execute(f"SELECT COUNT(*) FROM {table}").fetchall()[0][0]
        if source_count == mirror_count and not force:
            return False
        with connections[self.alias].cursor() as cur:
            cur.execute(f"SELECT id FROM {source_table}{extra_where}")
            ids = [row[0] for row in cur.fetchall()]
        con.execute("CREATE OR REPLACE TEMP TABLE _keys (id BIGINT)")
        with tempfile.NamedTemporaryFile("w", suffix=".csv", dir=self.path.parent, delete=True) as handle:
            handle.write("\n".join(str(i) for i in ids))
            handle.flush()
            if ids:
                con.execute(f"INSERT INTO _keys SELECT * FROM read_csv('{handle.name}', header = false, "
                            "columns = {'id': 'BIGINT'})")
        self._touch(con, table, "id NOT IN (SELECT id FROM _keys)")
        con.execute(f"DELETE FROM {table} WHERE id NOT IN (SELECT id FROM _keys)")
        if table == "interactions":
            from kundebase.analytics.text import analysis

            analysis.forget(con, "interactions", keep=True)
        missing = [row[0] for row in con.execute(
            f"SELECT id FROM _keys WHERE id NOT IN (SELECT id FROM {table})").fetchall()]
        alias = SOURCE_ALIASES[table]
        for start in range(0, len(missing), 5000):
            chunk = missing[start:start + 5000]
            self._load(con, table, f"{alias}.id IN ({', '.join('?' for _ in chunk)})", chunk, replace=True)
        return True


def mirror() -> Mirror:
    return Mirror()


@contextmanager
def reading(max_staleness: float | None = None, *, follow: Sequence[str] | None = None
            ) -> Iterator[duckdb.DuckDBPyConnection]:
    """An open mirror connection, refreshed first when the source has rows or changes the mirror has not read
    (:meth:`Mirror.behind`: new orders show in the very next report) or when it is older than
    ``max_staleness`` seconds (which lets the periodic reconciliation find writes that bypass the services).
    ``follow`` names the tables whose new rows matter to the reader (default: all)."""
    m = mirror()
    limit = MAX_STALENESS if max_staleness is None else max_staleness
    with m.open() as con:
        if m.age(con) > limit or m.behind(con, follow):
            m.refresh(con)
        yield con


def refresh(*, reconcile: bool = False, progress: Any = None) -> RefreshStats:
    m = mirror()
    with m.open() as con:
        return m.refresh(con, reconcile=reconcile, progress=progress)


def _csv_cell(value: object) -> object:
    if value is None:
        return NULL
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and len(value) in (19, 26) and value[4:5] == "-" and value[10:11] in (" ", "T"):
        return value if len(value) == 26 else value + ".000000"
    return value
