"""Where SQLite, PostgreSQL and DuckDB differ for segment SQL — and nowhere else.

The segment compiler is a pure function from a rule to SQL text plus
parameters; every backend-specific spelling (placeholders, date arithmetic,
month-day extraction, JSON access, how a date or time is passed) comes from
one of these objects, so adding an engine means adding one class.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Dialect:
    name: str
    placeholder: str = "%s"
    columnar: bool = False
    """A column store scans a table faster than it probes an index per customer: "days since the last
    order" then becomes ``MAX(ordered_at)`` in the orders rollup (one scan shared with the rule's other
    order conditions) instead of ``EXISTS`` probes."""

    def date_minus_years(self, date_sql: str, years_sql: str) -> str:
        """SQL for ``date - N years`` where both operands are SQL (usually placeholders)."""
        return f"CAST(CAST({date_sql} AS DATE) - CAST({years_sql} AS INTERVAL) AS DATE)"

    def years_param(self, years: int) -> Any:
        return f"{int(years)} years"

    def month_day(self, column: str) -> tuple[str, list[Any]]:
        """``MMDD`` text of a date column (birthday rules)."""
        return f"to_char({column}, {self.placeholder})", ["MMDD"]

    def month(self, column: str) -> tuple[str, list[Any]]:
        return f"CAST(EXTRACT(MONTH FROM {column}) AS INTEGER)", []

    def json_text(self, column: str, key: str) -> str:
        """Text of a top-level JSON key; ``key`` is a slug (checked by the caller), so it is inlined."""
        return f"({column} ->> '{key}')"

    def json_bool(self, value: bool) -> Any:
        return "true" if value else "false"

    def number(self, sql: str) -> str:
        return f"CAST({sql} AS DOUBLE PRECISION)"

    def date_param(self, value: dt.date) -> Any:
        return value

    def datetime_param(self, value: dt.datetime) -> Any:
        return value

    def false(self) -> str:
        return "FALSE"


@dataclass(frozen=True)
class SQLiteDialect(Dialect):
    def date_minus_years(self, date_sql: str, years_sql: str) -> str:
        return f"date({date_sql}, {years_sql})"

    def years_param(self, years: int) -> Any:
        return f"-{int(years)} years"

    def month_day(self, column: str) -> tuple[str, list[Any]]:
        return f"strftime({self.placeholder}, {column})", ["%m%d"]

    def month(self, column: str) -> tuple[str, list[Any]]:
        return f"CAST(strftime({self.placeholder}, {column}) AS INTEGER)", ["%m"]

    def json_text(self, column: str, key: str) -> str:
        return f"json_extract({column}, '$.\"{key}\"')"

    def json_bool(self, value: bool) -> Any:
        return 1 if value else 0

    def number(self, sql: str) -> str:
        return f"CAST({sql} AS REAL)"

    def date_param(self, value: dt.date) -> Any:
        return value.isoformat()

    def datetime_param(self, value: dt.datetime) -> Any:
        # Django keeps SQLite date-times as naive UTC text; compare like with like.
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(" ")

    def false(self) -> str:
        return "0"


@dataclass(frozen=True)
class PostgreSQLDialect(Dialect):
    pass


@dataclass(frozen=True)
class DuckDBDialect(Dialect):
    placeholder: str = "?"
    columnar: bool = True

    def month_day(self, column: str) -> tuple[str, list[Any]]:
        return f"strftime({column}, {self.placeholder})", ["%m%d"]

    def json_text(self, column: str, key: str) -> str:
        return f"json_extract_string({column}, '$.\"{key}\"')"

    def datetime_param(self, value: dt.datetime) -> Any:
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value


DIALECTS: dict[str, Dialect] = {
    "sqlite": SQLiteDialect("sqlite"),
    "postgresql": PostgreSQLDialect("postgresql"),
    "duckdb": DuckDBDialect("duckdb"),
}


def for_connection(connection: Any = None) -> Dialect:
    """The dialect of a Django connection (the default one when none is given)."""
    if connection is None:
        from django.db import connection as default

        connection = default
    try:
        return DIALECTS[connection.vendor]
    except KeyError as exc:
        raise NotImplementedError(f"segments do not support the {connection.vendor} backend") from exc
