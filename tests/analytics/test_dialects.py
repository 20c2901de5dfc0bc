"""The same report SQL gives the same answer on the DuckDB mirror and directly on the operational database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from kundebase.analytics import engine, sql
from kundebase.analytics.sql import Filters
from kundebase.core.dialect import DUCKDB, for_connection
from tests.analytics.conftest import at

RATES = {"call": Decimal("60"), "meeting": Decimal("450")}
CASES = {
    "pareto": lambda d, f: sql.pareto(d, f),
    "pareto-top-2": lambda d, f: sql.pareto(d, f, top_pct=40, points=3, limit=2),
    "quadrant": lambda d, f: sql.quadrant(d, f, RATES),
    "quadrant-min-2": lambda d, f: sql.quadrant(d, f, RATES, min_orders=2, limit=1, points=2),
    "rfm": lambda d, f: sql.rfm_customers(d, f, at(6, 1)),
    "rfm-totals": lambda d, f: sql.rfm_customers(d, f, at(6, 1), totals=True),
    "rfm-segments-totals": lambda d, f: sql.rfm_segments(d, f, at(6, 1), totals=True),
    "movement": lambda d, f: sql.rfm_movement(d, f, at(3, 1), at(6, 1)),
    "cohorts": lambda d, f: sql.cohorts(d, f),
    "geography": lambda d, f: sql.geography(d, f, "region"),
    "sources": lambda d, f: sql.sources(d, f),
    "months": lambda d, f: sql.revenue_by_month(d, f),
}


def _norm(rows: list[Any]) -> list[tuple[Any, ...]]:
    out = []
    for row in rows:
        cells = []
        for v in row:
            if isinstance(v, Decimal | float):
                cells.append(round(float(v), 4))
            elif isinstance(v, dt.datetime):
                cells.append(v.replace(tzinfo=None).isoformat())
            else:
                cells.append(v)
        out.append(tuple(cells))
    return out


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("filters", [Filters(start=at(1, 1), end=at(6, 1)), Filters(channel="web", region="Oslo")],
                         ids=["period", "channel-region"])
def test_same_sql_same_answer(book: dict[str, int], name: str, filters: Filters) -> None:
    source = for_connection(connection)
    text, params = CASES[name](source, filters)
    with connection.cursor() as cur:
        cur.execute(text, params)
        direct = cur.fetchall()
    with engine.reading() as con:
        text, params = CASES[name](DUCKDB, filters)
        mirrored = con.execute(text, params).fetchall()
    assert _norm(direct) == _norm(mirrored)
    assert direct
