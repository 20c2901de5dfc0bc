"""Each report's figures on the fixed book in conftest.py, worked out by hand there and below."""

from __future__ import annotations

from typing import Any

import pytest

from kundebase.analytics import reports
from kundebase.analytics.sql import Filters
from tests.analytics.conftest import at

PERIOD = Filters(start=at(1, 1), end=at(6, 1))


def test_pareto_shares_and_gini(book: dict[str, int]) -> None:
    data = reports.compute("pareto", PERIOD)
    assert data["customers"] == 5
    assert data["revenue"] == pytest.approx(4100)
    assert data["top_count"] == 1  # ceil(20 % of 5)
    assert data["revenue_share_top"] == pytest.approx(3000 / 4100)
    assert data["margin_share_top"] == pytest.approx(1800 / 2280)
    # ascending revenue 100 (E), 100 (D), 400, 500, 3000: Σ i·x = 18500
    assert data["gini"] == pytest.approx(2 * 18500 / (5 * 4100) - 6 / 5)
    assert data["lorenz"][0] == [0.0, 0.0] and data["lorenz"][-1] == pytest.approx([1.0, 1.0])
    assert [r["party_id"] for r in data["rows"]] == [book[k] for k in "ABCDE"]


def test_pareto_filters_by_channel_and_region(book: dict[str, int]) -> None:
    web = reports.compute("pareto", Filters(start=at(1, 1), end=at(6, 1), channel="web"))
    assert web["customers"] == 3 and web["revenue"] == pytest.approx(3500)
    oslo = reports.compute("pareto", Filters(region="Oslo"))
    assert oslo["customers"] == 1 and oslo["revenue"] == pytest.approx(3000)
    early = reports.compute("pareto", Filters(start=at(1, 1), end=at(2, 1)))
    assert early["revenue"] == pytest.approx(1000 + 100 + 400)


def test_quadrant_lists_the_frequent_unprofitable(book: dict[str, int]) -> None:
    data = reports.compute("quadrant", PERIOD)
    assert data["threshold"] == 3  # lower median of (1, 1, 2, 3, 5) is 2; frequent means more than that
    assert data["quadrants"]["frequent_profitable"]["customers"] == 1
    assert data["quadrants"]["frequent_unprofitable"]["customers"] == 1
    assert data["quadrants"]["occasional_profitable"]["customers"] == 3
    assert data["quadrants"]["occasional_unprofitable"]["customers"] == 0
    [row] = data["rows"]
    assert row["party_id"] == book["B"]
    assert (row["orders"], row["margin"], row["service_cost"], row["net"]) == (5, 50.0, 300.0, -250.0)
    assert data["quadrants"]["frequent_profitable"]["net"] == pytest.approx(1800 - 450)


def test_rfm_scores_segments_and_movement(book: dict[str, int]) -> None:
    data = reports.compute("rfm", Filters(end=at(6, 1)), {"customers": True, "compare_to": "2026-03-01"})
    scores = {r["party_id"]: (r["r"], r["f"], r["m"], r["segment"]) for r in data["customers"]}
    assert scores == {
        book["A"]: (2, 4, 5, "cant_lose"), book["B"]: (5, 5, 4, "champions"), book["C"]: (1, 1, 3, "hibernating"),
        book["D"]: (3, 3, 1, "about_to_sleep"), book["E"]: (4, 2, 2, "potential_loyalist"),
    }
    moves = {(m["from"], m["to"]): m["customers"] for m in data["movement"]}
    assert moves == {("at_risk", "cant_lose"): 1, ("need_attention", "champions"): 1,
                     ("hibernating", "hibernating"): 1, ("potential_loyalist", "about_to_sleep"): 1,
                     ("none", "potential_loyalist"): 1}
    counts = {s["segment"]: s["customers"] for s in data["segments"]}
    assert sum(counts.values()) == 5


def test_cohort_matrix(book: dict[str, int]) -> None:
    data = reports.compute("cohorts", Filters())
    matrix = {row["cohort"]: row["active"] for row in data["rows"]}
    assert matrix == {"2026-01": [3, 2, 2, 1, 1], "2026-02": [1, 0, 1, 0, 0], "2026-05": [1, 0, 0, 0, 0]}
    assert data["rows"][0]["retention"][1] == pytest.approx(2 / 3)


def test_geography_by_country_and_municipality(book: dict[str, int]) -> None:
    data = reports.compute("geography", PERIOD, {"level": "country"})
    rows = [(r["country"], r["customers"], r["buyers"], r["orders"], r["revenue"], r["margin"]) for r in data["rows"]]
    assert rows == [("NO", 3, 2, 8, 3500.0, 1850.0), ("DK", 1, 1, 1, 400.0, 300.0), ("DE", 1, 1, 2, 100.0, 60.0),
                    ("HU", 1, 1, 1, 100.0, 70.0)]
    towns = reports.compute("geography", PERIOD, {"level": "municipality"})
    assert towns["rows"][0]["place"] == "Oslo" and towns["rows"][0]["customers"] == 2


def test_sources_credit_the_first_order(book: dict[str, int]) -> None:
    rows = {(r["channel"], r["source"]): (r["customers"], r["orders"], r["revenue"])
            for r in reports.compute("sources", PERIOD)["rows"]}
    assert rows == {("web", "google"): (2, 4, 3100.0), ("store", "—"): (1, 5, 500.0),
                    ("web", "newsletter"): (1, 1, 400.0), ("phone", "—"): (1, 2, 100.0)}


def test_bad_geography_level_is_refused(book: dict[str, int]) -> None:
    from kundebase.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        reports.compute("geography", PERIOD, {"level": "planet"})


def test_empty_database_gives_empty_reports(db: Any) -> None:
    assert reports.compute("pareto", PERIOD)["customers"] == 0
    assert reports.compute("cohorts", PERIOD)["rows"] == []
    assert reports.compute("quadrant", PERIOD)["rows"] == []
