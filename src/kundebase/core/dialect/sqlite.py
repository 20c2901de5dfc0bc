"""SQLite: no date, decimal or boolean types, no arrays; ``strftime``, ``julianday`` and ``json_extract``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kundebase.core.dialect.base import Adapter, Dialect, naive_utc


def _datetime_text(value: dt.datetime | None) -> str | None:
    """Django keeps SQLite date-times as naive UTC text; compare and store like with like."""
    return None if value is None else naive_utc(value).isoformat(" ")


def _date_text(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class SQLiteDialect(Dialect):
    """SQLite: no date, decimal or boolean types (text and integers stand in), no arrays, ``json_extract``."""

    position_function: str = "INSTR"

    def datetime_param(self, value: dt.datetime) -> Any:
        return _datetime_text(value)

    def date_param(self, value: dt.date) -> Any:
        return value.isoformat()

    def bulk_adapter(self, internal_type: str) -> Adapter | None:
        adapters: dict[str, Adapter] = {"DateTimeField": _datetime_text, "DateField": _date_text,
                                        "DecimalField": _decimal_text}
        return adapters.get(internal_type)

    def month_index(self, expr: str) -> str:
        return f"(CAST(strftime('%Y', {expr}) AS INTEGER) * 12 + CAST(strftime('%m', {expr}) AS INTEGER) - 1)"

    def days_between(self, start: str, end: str) -> str:
        return f"(julianday({end}) - julianday({start}))"

    def date_minus_years(self, date_sql: str, years_sql: str) -> str:
        return f"date({date_sql}, {years_sql})"

    def years_param(self, years: int) -> Any:
        return f"-{int(years)} years"

    def month_day(self, column: str) -> tuple[str, list[Any]]:
        return f"strftime({self.placeholder}, {column})", ["%m%d"]

    def month(self, column: str) -> tuple[str, list[Any]]:
        return f"CAST(strftime({self.placeholder}, {column}) AS INTEGER)", ["%m"]

    def as_float(self, expr: str) -> str:
        return f"CAST({expr} AS REAL)"

    def least(self, a: str, b: str) -> str:
        return f"min({a}, {b})"

    def false(self) -> str:
        return "0"

    def json_text(self, column: str, key: str) -> str:
        return f"json_extract({column}, '$.\"{key}\"')"

    def json_bool(self, value: bool) -> Any:
        return 1 if value else 0
