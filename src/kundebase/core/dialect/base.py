"""The standard spelling every engine's dialect starts from (PostgreSQL spells most of it so)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TextIO

Adapter = Callable[[Any], Any]
FEW_VALUES = 999
"""Up to this many values (rows × columns), :meth:`Dialect.insert_many` sends one multi-row ``INSERT``."""


def naive_utc(value: dt.datetime) -> dt.datetime:
    """A timestamp as naive UTC (a naive one is taken to be UTC already)."""
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo is not None else value


@dataclass(frozen=True)
class Dialect:
    """The spelling of one engine; the base class spells standard SQL (as PostgreSQL does)."""

    name: str
    """The engine's name as Django's ``connection.vendor`` gives it: ``sqlite``, ``postgresql``, ``duckdb``."""
    placeholder: str = "%s"
    """The parameter marker of the engine's driver as Kundebase calls it (``%s`` on every Django connection)."""
    columnar: bool = False
    """A column store scans a table faster than it probes an index per customer: "days since the last
    order" then becomes ``MAX(ordered_at)`` in the orders rollup (one scan shared with the rule's other
    order conditions) instead of ``EXISTS`` probes."""
    has_arrays: bool = False
    """Whether one parameter can carry a list of values (an SQL array), so a statement need not grow with it."""
    skip_locked: bool = False
    """Whether workers can claim rows with ``SELECT … FOR UPDATE SKIP LOCKED`` (else they write a claim column)."""
    position_function: str = "STRPOS"
    """The function giving the 1-based position of a substring (0 when absent)."""

    # -- parameters ------------------------------------------------------------------------------
    def bind(self, sql: str) -> str:
        """SQL written with ``?`` in the placeholder style of this engine's driver.

        DuckDB takes ``?`` as it is.  Every Django connection — SQLite as much as PostgreSQL — takes the
        DB-API ``format`` style (``%s``, literal ``%`` doubled): Django's SQLite cursor translates it to
        ``?`` itself, and with ``DEBUG`` on Django's debug cursor renders ``sql % params`` for its query
        log, which a ``?`` statement fails with "not all arguments converted".
        """
        if self.placeholder == "?":
            return sql
        return sql.replace("%", "%%").replace("?", "%s")

    def datetime_param(self, value: dt.datetime) -> Any:
        """A timestamp as the driver compares it with a stored one (a naive value is read as UTC)."""
        return naive_utc(value).replace(tzinfo=dt.UTC)

    def date_param(self, value: dt.date) -> Any:
        return value

    def bulk_adapter(self, internal_type: str) -> Adapter | None:
        """How a raw bulk insert passes values of a Django field type (``DateTimeField`` …), when the
        driver cannot take the Python value as it is; ``None`` when it can."""
        return None

    # -- dates and times -------------------------------------------------------------------------
    def ts_text(self, column: str) -> str:
        """A timestamp column as naive UTC text, the form the analytics mirror loads."""
        return column

    def month_index(self, expr: str) -> str:
        """Months since year 0, so the difference of two is a month offset on every engine."""
        return f"(CAST(EXTRACT(YEAR FROM {expr}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {expr}) AS INTEGER) - 1)"

    def days_between(self, start: str, end: str) -> str:
        """Days from ``start`` to ``end`` (fractional on SQLite, which has no date type)."""
        return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"

    def date_minus_years(self, date_sql: str, years_sql: str) -> str:
        """SQL for ``date - N years`` where both operands are SQL (usually placeholders)."""
        return f"CAST(CAST({date_sql} AS DATE) - CAST({years_sql} AS INTERVAL) AS DATE)"

    def years_param(self, years: int) -> Any:
        """The parameter ``years_sql`` of :meth:`date_minus_years` takes."""
        return f"{int(years)} years"

    def month_day(self, column: str) -> tuple[str, list[Any]]:
        """``MMDD`` text of a date column (birthday rules)."""
        return f"to_char({column}, {self.placeholder})", ["MMDD"]

    def month(self, column: str) -> tuple[str, list[Any]]:
        """The month (1–12) of a date column."""
        return f"CAST(EXTRACT(MONTH FROM {column}) AS INTEGER)", []

    # -- numbers and truth -----------------------------------------------------------------------
    def int_div(self, a: str, b: str) -> str:
        """Integer division of two integer expressions."""
        return f"({a}) / ({b})"

    def as_float(self, expr: str) -> str:
        return f"CAST({expr} AS DOUBLE PRECISION)"

    def money_sum(self, expr: str) -> str:
        """``SUM(expr)`` of amounts."""
        return f"SUM({expr})"

    def least(self, a: str, b: str) -> str:
        return f"least({a}, {b})"

    def false(self) -> str:
        return "FALSE"

    # -- JSON ------------------------------------------------------------------------------------
    def json_text(self, column: str, key: str) -> str:
        """Text of a top-level JSON key; ``key`` is a slug (checked by the caller), so it is inlined."""
        return f"({column} ->> '{key}')"

    def json_bool(self, value: bool) -> Any:
        """A JSON boolean as :meth:`json_text` reads it, for comparing."""
        return "true" if value else "false"

    # -- writing and reading in bulk -------------------------------------------------------------
    def insert_sql(self, target: str, width: int, *, ignore_conflicts: bool = False) -> str:
        """``INSERT`` of one row of ``width`` values into ``target`` (``table (column, …)``, quoted); with
        ``ignore_conflicts`` a row breaking a unique constraint is skipped."""
        marks = ", ".join([self.placeholder] * width)
        return f"INSERT INTO {target} VALUES ({marks})" + (" ON CONFLICT DO NOTHING" if ignore_conflicts else "")

    def insert_many(self, cursor: Any, target: str, rows: Sequence[Sequence[Any]], *,
                    ignore_conflicts: bool = False) -> None:
        """Insert ``rows`` (values already adapted) into ``target`` (``table (column, …)``, quoted), the
        fastest way the engine has; ``cursor`` is a Django cursor."""
        if not rows:
            return
        width = len(rows[0])
        if len(rows) * width <= FEW_VALUES:  # one statement, one round trip (an answer's handful of rows)
            marks = ", ".join(["(" + ", ".join([self.placeholder] * width) + ")"] * len(rows))
            cursor.execute(f"INSERT INTO {target} VALUES {marks}"
                           + (" ON CONFLICT DO NOTHING" if ignore_conflicts else ""),
                           [value for row in rows for value in row])
            return
        cursor.executemany(self.insert_sql(target, width, ignore_conflicts=ignore_conflicts), rows)

    def export_csv(self, connection: Any, sql: str, params: Sequence[Any], handle: TextIO, *, null: str,
                   cell: Callable[[Any], Any], progress: Any = None) -> int:
        """Write the rows of ``sql`` (``?`` placeholders) on a Django ``connection`` to ``handle`` as CSV
        (``null`` for NULL, each value through ``cell``); returns the number of lines written.  ``progress``
        (a ``tqdm``-like object) hears of each batch read."""
        writer = csv.writer(handle, lineterminator="\n")
        count = 0
        with connection.cursor() as cur:
            cur.execute(self.bind(sql), params)
            while True:
                batch = cur.fetchmany(20_000)
                if not batch:
                    break
                writer.writerows([null if value is None else cell(value) for value in row] for row in batch)
                count += len(batch)
                if progress is not None:
                    progress.update(len(batch))
        return count

    def notify(self, connection: Any, channel: str) -> None:
        """Wake the processes waiting on ``channel`` (:meth:`wait_for_notification`); without notifications
        in the database, nothing: the waiters look again when their time is up."""

    def wait_for_notification(self, connection: Any, channel: str, timeout: float) -> bool | None:
        """Wait up to ``timeout`` seconds for a notification on ``channel``: whether one came, or ``None``
        when the database has no notifications (the caller then waits its time by itself)."""
        return None

    def lock_keys(self, connection: Any, keys: Sequence[str]) -> None:
        """Hold a lock on each of ``keys`` until the caller's transaction ends, so that two transactions naming
        one key run one after the other.  Without such locks, nothing: a database with one writer at a time
        (SQLite, ``transaction_mode`` IMMEDIATE) already runs writing transactions one after the other."""

    def fetch_per_key(self, cursor: Any, table: str, key: str, value: str, keys: Sequence[str],
                      per_key: int) -> list[tuple[str, Any]]:
        """``(key, value)`` rows of ``table`` for every text key in ``keys``, at most ``per_key`` per key, in
        one statement (``table``, ``key`` and ``value`` are quoted names).  Without arrays: a union of one
        branch per key, each with its own parameter, giving ``(branch, value)`` rows."""
        if not keys:
            return []
        cursor.execute(_union_per_key_sql(self.placeholder, table, key, value, len(keys), per_key), list(keys))
        return [(keys[branch], found) for branch, found in cursor.fetchall()]


@lru_cache(maxsize=64)
def _union_per_key_sql(mark: str, table: str, key: str, value: str, count: int, per_key: int) -> str:
    return " UNION ALL ".join(
        f"SELECT * FROM (SELECT {n} AS branch, {value} FROM {table} WHERE {key} = {mark} "
        f"LIMIT {int(per_key)}) AS block{n}" for n in range(count))
