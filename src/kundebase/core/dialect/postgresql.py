"""PostgreSQL: standard SQL, plus arrays (``unnest``, ``LATERAL``) and ``COPY`` in and out."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TextIO

from kundebase.core.dialect.base import FEW_VALUES, Dialect

_LISTENING: dict[str, Any] = {}
"""Channel → the database connection this process listens on."""


@dataclass(frozen=True)
class PostgreSQLDialect(Dialect):
    """PostgreSQL: standard SQL, plus arrays (``unnest``, ``LATERAL``) and ``COPY``."""

    has_arrays: bool = True
    skip_locked: bool = True

    def notify(self, connection: Any, channel: str) -> None:
        """``pg_notify``: delivered when the caller's transaction commits (at once outside one)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [channel])

    def wait_for_notification(self, connection: Any, channel: str, timeout: float) -> bool | None:
        """``LISTEN`` once per database connection, then the driver's ``notifies``; inside a transaction no
        notification can arrive, so ``None`` (the caller waits by itself). Notifications that came while the
        caller was busy are all taken here, so it goes back to its work once for them."""
        if connection.in_atomic_block:
            return None
        connection.ensure_connection()
        raw = connection.connection
        if _LISTENING.get(channel) is not raw:  # a new connection (after a failure) listens again
            with connection.cursor() as cursor:
                cursor.execute(f'LISTEN "{channel}"')
            _LISTENING[channel] = raw
        woken = False
        for _notify in raw.notifies(timeout=timeout, stop_after=1):
            woken = True
        return woken

    def lock_keys(self, connection: Any, keys: Sequence[str]) -> None:
        """Transaction-level advisory locks, one per key (a 64-bit digest of it), taken in ascending order so that
        two transactions each waiting for the other's keys cannot happen; one statement for all of them."""
        if not keys:
            return
        digests = sorted({int.from_bytes(hashlib.blake2b(k.encode(), digest_size=8).digest(), "big", signed=True)
                          for k in keys})
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT unnest(%s::bigint[]) AS k "
                           "ORDER BY 1) AS ordered", [digests])

    def ts_text(self, column: str) -> str:
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"

    def insert_many(self, cursor: Any, target: str, rows: Sequence[Sequence[Any]], *,
                    ignore_conflicts: bool = False) -> None:
        if ignore_conflicts or not rows or len(rows) * len(rows[0]) <= FEW_VALUES:
            # COPY has no ON CONFLICT, and for a few rows its three round trips cost more than one INSERT
            super().insert_many(cursor, target, rows, ignore_conflicts=ignore_conflicts)
            return
        # COPY is several times faster than even psycopg's pipelined executemany.
        with cursor.db.wrap_database_errors, cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def export_csv(self, connection: Any, sql: str, params: Sequence[Any], handle: TextIO, *, null: str,
                   cell: Callable[[Any], Any], progress: Any = None) -> int:
        # COPY writes the CSV itself, in the form the mirror loads (its text of timestamps is ts_text's).
        import psycopg

        connection.ensure_connection()
        raw = connection.connection
        query = psycopg.ClientCursor(raw).mogrify(self.bind(sql), params)
        count = 0
        with raw.cursor() as cur, cur.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, NULL '{null}')") as cp:
            for chunk in cp:
                data = bytes(chunk).decode("utf-8")
                handle.write(data)
                count += data.count("\n")
        # Multi-line text fields make the newline count an over-estimate; only zero matters to callers.
        return count

    def fetch_per_key(self, cursor: Any, table: str, key: str, value: str, keys: Sequence[str],
                      per_key: int) -> list[tuple[str, Any]]:
        """The keys go as one array and each block is read through a lateral join: one plan for any number
        of keys (a union of hundreds of branches took longer to plan than to run)."""
        if not keys:
            return []
        cursor.execute(_lateral_per_key_sql(table, key, value, per_key), [list(keys)])
        return list(cursor.fetchall())


@lru_cache(maxsize=64)
def _lateral_per_key_sql(table: str, key: str, value: str, per_key: int) -> str:
    return (f"SELECT wanted.k, block.{value} FROM unnest(%s::text[]) AS wanted(k) CROSS JOIN LATERAL "
            f"(SELECT {value} FROM {table} WHERE {key} = wanted.k LIMIT {int(per_key)}) AS block")
