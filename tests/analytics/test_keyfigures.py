"""Key figures per customer, and BG/NBD / Gamma-Gamma against the published CDNOW example."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kundebase.analytics import clv
from kundebase.analytics.keyfigures import key_figures

CDNOW = Path(__file__).resolve().parents[1] / "data" / "cdnow" / "cdnow_customers_summary_with_transactions.csv"


@pytest.fixture(scope="module")
def cdnow() -> dict[str, np.ndarray]:
    rows = list(csv.DictReader(CDNOW.open()))
    return {k: np.array([float(r[k]) for r in rows]) for k in ("x", "t_x", "T", "zbar")}


def test_bgnbd_fit_reproduces_published_parameters(cdnow: dict[str, np.ndarray]) -> None:
    model = clv.fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"])
    # Fader, Hardie & Lee (2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4
    assert (round(model.r, 3), round(model.alpha, 3), round(model.a, 3), round(model.b, 3)) == (
        0.243, 4.414, 0.793, 2.426)
    assert model.log_likelihood(cdnow["x"], cdnow["t_x"], cdnow["T"]) == pytest.approx(-9582.4, abs=0.1)


def test_bgnbd_conditional_expectation_of_the_paper() -> None:
    published = clv.BgNbd(r=0.243, alpha=4.414, a=0.793, b=2.426)
    # The paper's worked example: x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in the next 39 weeks.
    assert float(published.expected_purchases(39, 2, 30.43, 38.86)) == pytest.approx(1.226, abs=0.001)
    assert float(published.p_alive(0, 0, 38.86)) == 1.0  # no repeat purchase: BG/NBD assumes alive
    assert 0 < float(published.p_alive(2, 5.0, 38.86)) < float(published.p_alive(2, 30.43, 38.86)) < 1


def test_a_customer_with_hundreds_of_purchases_gets_finite_figures() -> None:
    """The paper's formula is 0 · ∞ past a few hundred repeat purchases: the profile could not store the NaN."""
    published = clv.BgNbd(r=0.243, alpha=4.414, a=0.793, b=2.426)
    x = np.array([2.0, 400.0, 2000.0, 1000.0])
    t_x = np.array([30.43, 150.0, 155.0, 20.0])
    T = np.array([38.86, 156.0, 156.0, 156.0])
    expected = published.expected_purchases(52, x, t_x, T)
    alive = published.p_alive(x, t_x, T)
    assert np.isfinite(expected).all() and np.isfinite(alive).all()
    assert expected[2] > expected[1] > 0  # buying to the end: many more purchases ahead
    assert expected[3] == pytest.approx(0, abs=1e-9) and alive[3] == pytest.approx(0, abs=1e-9)  # silent for years
    # A model fitted with a tiny α: (α+T)/α to the power r overflows; without a repeat purchase it must not count.
    extreme = clv.BgNbd(r=400.0, alpha=1e-6, a=0.8, b=2.4)
    assert np.isfinite(extreme.expected_purchases(52, 0.0, 0.0, 80.0))
    assert float(extreme.p_alive(0.0, 0.0, 80.0)) == 1.0


def test_gamma_gamma_reproduces_published_parameters(cdnow: dict[str, np.ndarray]) -> None:
    spend = clv.fit_gamma_gamma(cdnow["x"], cdnow["zbar"])
    # Fader, Hardie & Lee, "RFM and CLV" (2005): p = 6.25, q = 3.74, gamma = 15.44
    assert (round(spend.p, 2), round(spend.q, 2)) == (6.25, 3.74)
    assert spend.gamma == pytest.approx(15.44, abs=0.01)


def test_key_figures_of_a_customer(book: dict[str, int]) -> None:
    data = key_figures(book["B"])
    assert (data["orders"], data["revenue"], data["cost"], data["gross_margin"]) == (5, 500.0, 450.0, 50.0)
    assert (data["service_cost"], data["net_profit"], data["average_order"]) == (300.0, -250.0, 100.0)
    assert data["first_order_at"].startswith("2026-01-10") and data["last_order_at"].startswith("2026-05-10")
    assert data["tenure_days"] > data["recency_days"] > 0
    # five buying customers are too few to fit the lifetime model: reported as unknown, not invented
    assert data["predicted_value_12m"] is None and data["churn_risk"] is None


def test_key_figures_of_a_customer_without_orders(book: dict[str, int]) -> None:
    data = key_figures(book["F"])
    assert (data["orders"], data["revenue"], data["average_order"], data["first_order_at"]) == (0, 0.0, None, None)


def test_key_figures_of_unknown_customer(db: Any) -> None:
    from kundebase.core.errors import NotFound

    with pytest.raises(NotFound):
        key_figures(999_999)


@pytest.fixture
def thirty_buyers(db: Any) -> list[int]:
    """Thirty customers with one to four orders each, weekly apart: enough to fit the lifetime model."""
    import datetime as dt

    from kundebase.orders.services import create_order
    from kundebase.parties.services import create_person

    start = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
    ids = []
    for i in range(30):
        pid = create_person(data={"given_name": f"K{i}", "family_name": "Kunde"}).pk
        ids.append(pid)
        for k in range(1 + i % 4):
            create_order(party_id=pid, data={"ordered_at": start + dt.timedelta(days=7 * i + 40 * k)},
                         lines=[{"revenue": str(100 + 10 * i), "cost": "50"}])
    return ids


def test_lifetime_value_with_enough_customers(thirty_buyers: list[int]) -> None:
    ids = thirty_buyers
    loyal, once = key_figures(ids[27]), key_figures(ids[28])
    assert loyal["orders"] == 4 and once["orders"] == 1
    for data in (loyal, once):
        assert data["predicted_value_12m"] is not None and data["predicted_value_12m"] >= 0
        assert 0 <= data["churn_risk"] <= 1
        assert data["churn_risk"] == pytest.approx(1 - data["p_alive"])
    assert once["churn_risk"] == 0.0  # BG/NBD: a customer with no repeat purchase has not yet had a chance to drop


def _fitted_at() -> float:
    from kundebase.analytics import engine

    with engine.mirror().open() as con:
        return float(con.execute("SELECT fitted_at FROM _models WHERE name = 'clv'").fetchall()[0][0])


def test_a_stale_fit_is_used_by_reads_and_renewed_by_the_worker_job(thirty_buyers: list[int]) -> None:
    from kundebase.analytics import engine, keyfigures, tasks

    first = key_figures(thirty_buyers[27])
    with engine.mirror().open() as con:  # the fit is a day old
        con.execute("UPDATE _models SET fitted_at = fitted_at - 86400 WHERE name = 'clv'")
    stale = _fitted_at()
    again = key_figures(thirty_buyers[27])
    assert again["model"] == first["model"] and _fitted_at() == stale  # a read never waits for a refit
    assert tasks.refit_lifetime_model.call() is True
    assert _fitted_at() > stale + 86000
    assert keyfigures.refit_if_stale() is False  # fresh now: nothing to do
    assert key_figures(thirty_buyers[27])["model"] == first["model"]  # same data, same fit


def test_a_big_book_is_fitted_on_a_sample_of_customers(thirty_buyers: list[int],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from kundebase.analytics import engine, keyfigures

    with engine.reading() as con:
        everyone = keyfigures.fit_inputs(con)
        monkeypatch.setattr(keyfigures, "FIT_CUSTOMERS", 12)
        sample = keyfigures.fit_inputs(con)
    assert everyone.weights.sum() == 30 and len(everyone.money) == 22  # 22 of them bought again
    assert 0 < sample.weights.sum() < 30 and len(sample.money) == 12
    assert set(zip(sample.x, sample.t_x, strict=True)) <= set(zip(everyone.x, everyone.t_x, strict=True))
