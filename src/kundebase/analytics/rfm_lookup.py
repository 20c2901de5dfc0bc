"""One customer's RFM segment without scoring everybody: quintile boundaries cached per mirror refresh.

The RFM report scores every buying customer with ``NTILE(5)`` over recency (last order), frequency (orders)
and monetary value (revenue), ties broken by customer id (:func:`sql._rfm_cte`).  A customer's score is fixed
by where their ``(value, id)`` falls among four boundary rows per measure, so the boundaries (a
:class:`Scale`) are read once after each refresh that changed the mirror's orders or customers (three sorts
of ``customer_totals``) and a profile then needs one point query: the same answer as the report at a fraction
of the cost.  When ``customer_totals`` does not answer the RFM (an order dated in the future,
:func:`sql.totals_cover`) the report's own query is run.

Other customers' orders move the boundaries, so a profile re-reads its segment on every rebuild; when the
process holds a scale younger than :data:`TTL` seconds (and no order was written in this process since) it
scores the figures the profile already has without opening the mirror at all.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb

from kundebase.analytics import sql
from kundebase.core.dialect import DUCKDB

TTL = 60.0
"""Seconds a scale is used without asking the mirror: how late other processes' orders may move a segment."""
MEASURES = (("r", "last_at"), ("f", "n"), ("m", "revenue"))
BUYERS = ("SELECT t.party_id AS party_id, t.last_at AS last_at, t.orders AS n, t.revenue AS revenue "
          "FROM customer_totals t JOIN customers c ON c.id = t.party_id")
"""The customers the RFM report scores, with the figures it scores them by (``sql._rfm_cte`` with totals)."""


def _key(value: Any, party_id: int) -> tuple[Any, ...]:
    """The sort key of the report's ``ORDER BY value ASC, party_id`` (DuckDB puts NULL last)."""
    return (1, 0, party_id) if value is None else (0, value, party_id)


def starts(count: int, buckets: int = 5) -> list[int]:
    """1-based row numbers where ``NTILE(buckets)`` over ``count`` rows starts buckets 2…n (the larger first)."""
    size, extra = divmod(count, buckets)
    out, row = [], 1
    for bucket in range(1, buckets):
        row += size + (1 if bucket <= extra else 0)
        out.append(row)
    return out


@dataclass
class Scale:
    """The boundaries of the three scores and the segment name of every score combination."""

    marker: Any
    loaded: float
    latest: dt.datetime | None
    bounds: dict[str, list[tuple[Any, ...]]]
    names: dict[tuple[int, int, int], str]

    def segment(self, party_id: int, last_at: Any, n: Any, revenue: Any) -> str:
        score = [1 + bisect_right(self.bounds[name], _key(value, party_id))
                 for (name, _c), value in zip(MEASURES, (last_at, n, revenue), strict=True)]
        return self.names[(score[0], score[1], score[2])]


_scales: dict[str, Scale] = {}
_lock = threading.Lock()


def forget() -> None:
    """An order was written in this process: the next profile asks the mirror for the boundaries."""
    with _lock:
        _scales.clear()


def _marker(con: duckdb.DuckDBPyConnection) -> Any:
    """Changes with every refresh that loaded or deleted orders or removed customers (``engine._refresh``)."""
    rows = con.execute("SELECT value FROM _meta WHERE key = 'buyers_changed'").fetchall()
    return rows[0][0] if rows else None


def _load(con: duckdb.DuckDBPyConnection, marker: Any) -> Scale:
    count = con.execute(f"SELECT COUNT(*) FROM ({BUYERS}) b").fetchall()[0][0]
    rows = [r for r in starts(int(count)) if r <= count]
    bounds: dict[str, list[tuple[Any, ...]]] = {}
    for score, column in MEASURES:
        found = con.execute(
            f"SELECT {column}, party_id FROM (SELECT {column}, party_id, ROW_NUMBER() OVER "
            f"(ORDER BY {column} ASC, party_id) AS rn FROM ({BUYERS}) b) x WHERE rn IN "
            f"({', '.join('?' for _ in rows)}) ORDER BY rn", rows).fetchall() if rows else []
        bounds[score] = [_key(value, pid) for value, pid in found]
    fm = DUCKDB.int_div("f + m + 1", "2")
    names = {(int(r), int(f), int(m)): str(name) for r, f, m, name in con.execute(
        f"SELECT r, f, m, {sql.SEGMENT_CASE} FROM (SELECT r, f, m, {fm} AS fm FROM range(1, 6) a(r), "
        "range(1, 6) b(f), range(1, 6) c(m)) x").fetchall()}
    latest = con.execute("SELECT MAX(ordered_at) FROM orders").fetchall()[0][0]
    return Scale(marker, time.monotonic(), latest, bounds, names)


def scale(con: duckdb.DuckDBPyConnection, path: str) -> Scale:
    """The boundaries of the mirror as it is now (read again only when its buyers changed)."""
    marker = _marker(con)
    with _lock:
        found = _scales.get(path)
    if found is not None and marker is not None and found.marker == marker:
        found.loaded = time.monotonic()
        return found
    found = _load(con, marker)
    with _lock:
        _scales[path] = found
    return found


def segment(con: duckdb.DuckDBPyConnection, party_id: int, now: dt.datetime, *, path: str = "") -> str:
    """The customer's RFM segment as the RFM report names it ('' for someone who never bought)."""
    current = scale(con, path)
    if not sql.totals_cover(sql.Filters(), now, current.latest):
        text, params = sql.rfm_customers(DUCKDB, sql.Filters(), now)
        rows = con.execute(f"SELECT segment FROM ({text}) rfm_all WHERE party_id = ?", [*params, party_id]
                           ).fetchall()
        return str(rows[0][0]) if rows else ""
    mine = con.execute(f"SELECT last_at, n, revenue FROM ({BUYERS}) b WHERE party_id = ?", [party_id]).fetchall()
    return current.segment(party_id, *mine[0]) if mine else ""


def segment_from_figures(figures: dict[str, Any], party_id: int, now: dt.datetime, *, path: str = "") -> str | None:
    """The segment from a profile's key figures and a recent scale in this process; ``None`` when there is none
    (the caller asks the mirror)."""
    with _lock:
        found = _scales.get(path)
    if found is None or time.monotonic() - found.loaded > TTL or not sql.totals_cover(sql.Filters(), now,
                                                                                         found.latest):
        return None
    if not figures.get("orders") or figures.get("last_order_at") is None:
        return ""
    revenue = figures.get("revenue")
    return found.segment(party_id, dt.datetime.fromisoformat(figures["last_order_at"]), int(figures["orders"]),
                         None if revenue is None else Decimal(repr(revenue)))
