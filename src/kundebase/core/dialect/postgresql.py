"""PostgreSQL: standard SQL, plus arrays (``unnest``, ``LATERAL``) and ``COPY`` in and out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TextIO

from kundebase.core.dialect.base import Dialect


@dataclass(frozen=True)
class PostgreSQLDialect(Dialect):
    """PostgreSQL: standard SQL, plus arrays (``unnest``, ``LATERAL``) and ``COPY``."""

    has_arrays: bool = True

    def ts_text(self, column: str) -> str:
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"

    def insert_many(self, cursor: Any, target: str, rows: Sequence[Sequence[Any]], *,
                    ignore_conflicts: bool = False) -> None:
        if ignore_conflicts:  # COPY has no ON CONFLICT
            super().insert_many(cursor, target, rows, ignore_conflicts=True)
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
