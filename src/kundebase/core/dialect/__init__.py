"""Where SQLite, PostgreSQL and DuckDB differ, and nowhere else.

Kundebase writes its own SQL where the ORM is too slow or cannot say it: report and segment SQL that runs on
the operational database and on the DuckDB mirror alike, bulk writes by the million, the hot look-ups.  Every
spelling that differs between the engines (placeholders, date arithmetic, JSON access, how a date or time is
passed, COPY against ``executemany``, arrays against unions) is a method of one :class:`Dialect` object per
engine, so a module never asks which database it runs on: it asks the dialect, and adding an engine, or a
difference, means touching this package only.

``for_connection()`` picks the object of a Django connection; :data:`DUCKDB` is the one of the analytics mirror.
The base class (``base.py``) spells standard SQL; each engine's class (``sqlite.py``, ``postgresql.py``,
``duckdb.py``) overrides what it spells differently.
"""

from __future__ import annotations

from typing import Any

from kundebase.core.dialect.base import Adapter, Dialect
from kundebase.core.dialect.duckdb import DuckDBDialect
from kundebase.core.dialect.postgresql import PostgreSQLDialect
from kundebase.core.dialect.sqlite import SQLiteDialect

__all__ = ["DIALECTS", "DUCKDB", "POSTGRESQL", "SQLITE", "Adapter", "Dialect", "DuckDBDialect", "PostgreSQLDialect",
           "SQLiteDialect", "for_connection"]

SQLITE = SQLiteDialect("sqlite")
POSTGRESQL = PostgreSQLDialect("postgresql")
DUCKDB = DuckDBDialect("duckdb")
DIALECTS: dict[str, Dialect] = {d.name: d for d in (SQLITE, POSTGRESQL, DUCKDB)}


def for_connection(connection: Any = None) -> Dialect:
    """The dialect of a Django connection (the default one when none is given)."""
    if connection is None:
        from django.db import connection as default

        connection = default
    try:
        return DIALECTS[connection.vendor]
    except KeyError as exc:
        raise NotImplementedError(f"Kundebase does not support the {connection.vendor} database") from exc
