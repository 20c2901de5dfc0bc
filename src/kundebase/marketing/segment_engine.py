"""Where a live segment count runs: on the analytics engine's DuckDB mirror when it can answer, else in the database.

A count in the builder, the API or the CLI only has to be right *now*, so it
may run on the analytics mirror (a column store that scans ten million orders
in a fraction of the time SQLite or PostgreSQL need), provided that

* the analytics app is installed and its mirror has been loaded (we never trigger a full load from a
  live count: that takes minutes on a large base);
* the mirror was refreshed within :data:`FRESH_ENOUGH` seconds; it is then brought up to date
  incrementally (new rows by id, changed rows by change marks) whenever the source has anything it has not
  read (:meth:`Mirror.behind`, one indexed query) before counting, so the count equals the operational one
  even for a customer added a moment ago;
* the mirror holds every table the compiled rule reads.  The mirror keeps customers (with their
  primary address only), orders (without lines) and interactions; rules on anything else — every
  address, consent, companies, order categories, loyalty, campaigns, static segments — are counted
  in the operational database.  Missing tables and columns are found by DuckDB's binder
  (``CatalogException`` / ``BinderException``), so a rule needs no hand-kept list of what is
  mirrored, and a richer mirror is used as soon as it holds a table under :data:`MIRROR_VIEWS`.

Member lists for exports and campaigns never come from here: they must agree with consent at
the moment of sending, so they stay on the operational database (``segments.members_sql``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings

from kundebase.core.dialect import DUCKDB
from kundebase.marketing.segment_language import count_sql

log = logging.getLogger(__name__)

FRESH_ENOUGH = 3600.0
"""Seconds since the mirror's last refresh beyond which a live count does not use it (and does not refresh it)."""

MIRROR_VIEWS: dict[str, tuple[str, str]] = {
    # operational table: (mirror table it needs, SELECT giving the columns segment SQL reads)
    "parties_party": ("customers", "SELECT id, kind, status, CAST(NULL AS BIGINT) AS merged_into_id "
                                   "FROM customers"),
    "parties_person": ("customers", "SELECT id AS party_ptr_id, birth_date, gender FROM customers "
                                    "WHERE kind = 'person'"),
    "orders_order": ("orders", "SELECT id, party_id, ordered_at, channel, source, revenue, cost FROM orders"),
    "interactions_interaction": ("interactions", "SELECT id, party_id, kind, channel, direction, occurred_at "
                                                 "FROM interactions"),
}
"""The operational tables segment SQL names, as views over the mirror's tables (merged customers are not
mirrored, hence ``merged_into_id`` NULL).  Only columns that mean the same on both sides are exposed:
the mirror's ``postcode``/``city``/… are the primary address only, so no address view is offered."""


TABLE_RE = re.compile(r"\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)(?![.\w])", re.IGNORECASE)


def _tables(sql: str) -> set[str]:
    """The tables compiled segment SQL reads (its sub-queries are always ``FROM t alias`` / ``JOIN t alias``)."""
    return {name.lower() for name in TABLE_RE.findall(sql)}


def enabled() -> bool:
    """Whether the analytics app (and so its mirror) is part of this installation."""
    return "kundebase.analytics" in settings.INSTALLED_APPS


@contextmanager
def fresh_mirror() -> Iterator[Any]:
    """An open, up-to-date mirror connection, or ``None`` when there is no mirror fresh enough to use.

    Uses the analytics engine's public ``Mirror`` API (``open``, ``age``, ``refresh``): it is
    ``engine.reading()`` with a limit on how old a mirror may be before we leave it alone.
    """
    from kundebase.analytics import engine

    if not engine.mirror_path().exists():
        yield None
        return
    mirror = engine.mirror()
    with mirror.open() as con:
        age = mirror.age(con)
        if age > FRESH_ENOUGH:
            yield None
            return
        if age > engine.MAX_STALENESS or mirror.behind(con):
            mirror.refresh(con)  # new rows or change marks since the last refresh: the count must include them
        yield con


PERFECT_HASH_BITS = 22
"""Rollups group orders by customer id; with ids below 2**22 (about four million customers) DuckDB can
aggregate into an array indexed by the id ("perfect hash") instead of a hash table, about twice as fast
for a million customers.  Its default (12 bits) only allows that for 4,096 groups.  DuckDB sizes the
array from the ids actually present, so a small base costs nothing extra."""


def tune(con: Any) -> None:
    """Session settings for segment SQL on a DuckDB connection (nothing is written to the database)."""
    con.execute(f"SET perfect_ht_threshold = {PERFECT_HASH_BITS}")


def _views(con: Any) -> None:
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary")
              .fetchall()}
    for name, (needs, select) in MIRROR_VIEWS.items():
        if needs in tables:
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {select}")


def analytics_count(rule: Any, *, now: dt.datetime | None = None, segments: tuple[int, ...] = ()) -> int | None:
    """The rule's count on the analytics mirror, or ``None`` when it cannot be answered there.

    Compilation errors are raised as ``ValidationFailed`` (the same ones the operational path gives).
    """
    if not enabled():
        return None
    import duckdb

    sql, params = count_sql(rule, DUCKDB, now=now, segments=segments)
    if not _tables(sql) <= set(MIRROR_VIEWS):
        return None  # decided without opening the mirror; missing columns are left to DuckDB's binder
    with fresh_mirror() as con:
        if con is None:
            return None
        _views(con)
        tune(con)
        try:
            return int(con.execute(sql, params).fetchall()[0][0])
        except (duckdb.CatalogException, duckdb.BinderException) as exc:
            log.debug("segment count not on the mirror: %s", exc)
            return None
