"""The per-customer totals the mirror keeps follow every kind of order change, and RFM may read them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kundebase.analytics import engine, reports, sql
from kundebase.analytics.sql import Filters
from kundebase.core.dialect import DUCKDB
from tests.analytics.conftest import at, delete_orders_behind_the_services

FIGURES = ("SELECT party_id, COUNT(*), SUM(revenue), SUM(cost), MIN(ordered_at), MAX(ordered_at) FROM orders "
           "GROUP BY party_id ORDER BY party_id")


def _totals_match_orders() -> list[tuple[Any, ...]]:
    with engine.mirror().open() as con:
        kept = con.execute("SELECT * FROM customer_totals ORDER BY party_id").fetchall()
        assert kept == con.execute(FIGURES).fetchall()
    return kept


def _row(kept: list[tuple[Any, ...]], party_id: int) -> tuple[Any, ...] | None:
    return next((r for r in kept if r[0] == party_id), None)


def test_totals_follow_new_changed_moved_and_deleted_orders(book: dict[str, int]) -> None:
    from kundebase.orders.models import Order
    from kundebase.orders.services import create_order

    engine.refresh()
    kept = _totals_match_orders()
    assert _row(kept, book["A"])[1:4] == (3, Decimal("3000.00"), Decimal("1200.00"))
    assert _row(kept, book["F"]) is None

    create_order(party_id=book["F"], data={"ordered_at": at(5, 20), "channel": "web"},
                 lines=[{"revenue": "700", "cost": "100"}])
    moved = Order.objects.filter(party_id=book["A"]).order_by("ordered_at").first()
    moved.party_id = book["E"]  # as a merge moves orders to the surviving customer
    moved.save()
    changed = Order.objects.get(party_id=book["C"])
    changed.revenue = Decimal("450")
    changed.save()
    Order.objects.filter(party_id=book["D"]).order_by("ordered_at").first().delete()
    engine.refresh()
    kept = _totals_match_orders()
    assert _row(kept, book["F"])[1:3] == (1, Decimal("700.00"))
    assert _row(kept, book["A"])[1] == 2
    assert _row(kept, book["E"])[1:3] == (2, Decimal("1100.00"))
    assert _row(kept, book["C"])[2] == Decimal("450.00")
    assert _row(kept, book["D"])[1] == 1


def test_totals_follow_reconciliation(book: dict[str, int]) -> None:
    engine.refresh()
    delete_orders_behind_the_services(book["B"])
    engine.refresh(reconcile=True)
    assert _row(_totals_match_orders(), book["B"]) is None


def test_a_failed_refresh_changes_nothing(book: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    from kundebase.orders.services import create_order

    engine.refresh()
    create_order(party_id=book["F"], data={"ordered_at": at(5, 20), "channel": "web"},
                 lines=[{"revenue": "700", "cost": "100"}])

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine.Mirror, "_update_totals", broken)
    with pytest.raises(RuntimeError):
        engine.refresh()
    with engine.mirror().open() as con:
        assert con.execute("SELECT COUNT(*) FROM orders WHERE party_id = ?", [book["F"]]).fetchall()[0][0] == 0
    monkeypatch.undo()
    engine.refresh()
    assert _row(_totals_match_orders(), book["F"])[1] == 1


@pytest.mark.parametrize("filters", [Filters(), Filters(country="NO"), Filters(end=at(6, 1))],
                         ids=["everyone", "country", "end"])
def test_rfm_from_totals_equals_rfm_from_orders(book: dict[str, int], filters: Filters) -> None:
    with engine.reading() as con:
        options = reports.resolve_options(con, "rfm", filters, {})
        assert options["totals"], "no filter on orders and no order after the as-of date: totals suffice"
        as_of = options["as_of"]
        for make in (sql.rfm_segments, sql.rfm_customers):
            by_totals = reports.run(con, make(DUCKDB, filters, as_of, totals=True))
            by_orders = reports.run(con, make(DUCKDB, filters, as_of, totals=False))
            assert by_totals == by_orders and by_totals


def test_rfm_reads_orders_when_totals_would_be_wrong(book: dict[str, int]) -> None:
    with engine.reading() as con:
        for filters in (Filters(end=at(3, 1)), Filters(channel="web"), Filters(start=at(2, 1))):
            assert not reports.resolve_options(con, "rfm", filters, {})["totals"]
    segments = {s["segment"]: s["customers"] for s in reports.compute("rfm", Filters(end=at(3, 1)))["segments"]}
    assert sum(segments.values()) == 4  # A, B, C, D had bought before March; E only in May
