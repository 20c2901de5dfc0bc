"""Key figures of one customer, from the mirror, with predicted lifetime value and churn risk.

The BG/NBD and Gamma-Gamma parameters are fitted on (a sample of) all customers and kept in the mirror's
``_models`` table; the worker fits again once the fit is ``MODEL_MAX_AGE`` seconds old (``kundebase analytics
refresh --refit`` renews it at once). A customer's figures use the stored fit, so the card answers in
milliseconds: only the very first read of a new mirror waits for a fit.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import numpy as np
from django.utils import timezone

from kundebase.analytics import clv, engine, sql
from kundebase.analytics.reports import service_costs
from kundebase.core.dialect import DUCKDB
from kundebase.core.errors import NotFound

MODEL_MAX_AGE = 6 * 3600.0
MIN_CUSTOMERS_FOR_MODEL = 20
"""Below this many buying customers the model is not fitted and value/churn are reported as unknown."""
HORIZON_WEEKS = 52.0


FIT_CUSTOMERS = 100_000
"""At most this many customers, drawn at random, go into a fit: the parameters of four (BG/NBD) and three
(Gamma-Gamma) numbers are as well determined by a hundred thousand customers as by ten million, and the fit
then takes seconds whatever the size of the book."""


@dataclass
class FitInputs:
    """What a fit reads from the mirror: the grouped purchase histories and the repeat customers' spend."""

    x: np.ndarray
    t_x: np.ndarray
    t_total: np.ndarray
    weights: np.ndarray
    money: list[tuple[Any, Any]]


def stored_model(con: duckdb.DuckDBPyConnection) -> tuple[float, clv.ClvModel | None] | None:
    """(age in seconds, model) of the stored fit; ``None`` when none was ever stored."""
    stored = con.execute("SELECT fitted_at, params FROM _models WHERE name = 'clv'").fetchall()
    if not stored:
        return None
    params = json.loads(stored[0][1])
    return time.time() - stored[0][0], (clv.ClvModel.from_dict(params) if params else None)


def fit_inputs(con: duckdb.DuckDBPyConnection, *, seed: int = 7) -> FitInputs:
    """The fit's data, thinned to :data:`FIT_CUSTOMERS` customers (each group's count drawn binomially, so the
    sample is one of customers, not of groups)."""
    text, params_in = sql.clv_inputs(DUCKDB, timezone.now())
    data = con.execute(text, params_in).fetchnumpy()
    weights = np.asarray(data[data_key(data)], dtype=float)
    rng = np.random.default_rng(seed)
    total = float(weights.sum())
    keep = np.ones(len(weights), dtype=bool)
    if total > FIT_CUSTOMERS:
        weights = rng.binomial(weights.astype(np.int64), FIT_CUSTOMERS / total).astype(float)
        keep = weights > 0
    text, params_in = sql.clv_monetary(DUCKDB)
    money = con.execute(text, params_in).fetchall()
    if len(money) > FIT_CUSTOMERS:
        money = [money[i] for i in sorted(rng.choice(len(money), FIT_CUSTOMERS, replace=False))]
    return FitInputs(np.asarray(data["x"], float)[keep], np.asarray(data["t_x"], float)[keep],
                     np.maximum(np.asarray(data["t_total"], float)[keep], 1e-6), weights[keep], money)


def fit(inputs: FitInputs) -> clv.ClvModel | None:
    """Both models fitted on ``inputs`` (no mirror needed: a background refit holds no lock meanwhile);
    ``None`` with too few customers or a fit that predicts nothing."""
    if not len(inputs.x) or float(inputs.weights.sum()) < MIN_CUSTOMERS_FOR_MODEL:
        return None
    purchases = clv.fit_bgnbd(inputs.x, inputs.t_x, inputs.t_total, inputs.weights)
    spend = None
    if len(inputs.money) >= MIN_CUSTOMERS_FOR_MODEL:
        spend = clv.fit_gamma_gamma(np.array([m[0] for m in inputs.money], float),
                                    np.array([float(m[1]) for m in inputs.money]))
        if spend.q <= 1:
            spend = None
    model = clv.ClvModel(purchases, spend)
    return model if model.finite() else None  # else value and churn are unknown, as with too few customers


def store_model(con: duckdb.DuckDBPyConnection, model: clv.ClvModel | None) -> None:
    con.execute("INSERT OR REPLACE INTO _models VALUES ('clv', ?, ?)",
                [time.time(), json.dumps(model.as_dict() if model else {})])


def fit_model(con: duckdb.DuckDBPyConnection, *, force: bool = False) -> clv.ClvModel | None:
    """The stored fit, of any age (a stale one is renewed in the background: :func:`refit_if_stale`), or a new
    one when none is stored yet or when forced."""
    stored = None if force else stored_model(con)
    if stored is not None:
        return stored[1]
    model = fit(fit_inputs(con))
    store_model(con, model)
    return model


def refit_if_stale(max_age: float = MODEL_MAX_AGE) -> bool:
    """Fit again when the stored fit is older than ``max_age`` (the worker's periodic job). The data is read
    under the mirror's lock, the fit runs without it, so reports and profiles are not held up meanwhile."""
    with engine.reading() as con:
        stored = stored_model(con)
        if stored is not None and stored[0] < max_age:
            return False
        inputs = fit_inputs(con)
    model = fit(inputs)
    with engine.mirror().open() as con:
        store_model(con, model)
    return True


def days(start: Any, end: Any) -> float:
    return (end - start).total_seconds() / 86400.0


def data_key(data: dict[str, Any]) -> str:
    """The name DuckDB gave the group count column."""
    return next(k for k in data if k not in {"x", "t_x", "t_total"})


def key_figures(party_id: int) -> dict[str, Any]:
    """Revenue, cost, margins, service cost, counts, dates, predicted value and churn risk of one customer."""
    with engine.reading() as con:
        return figures_from(con, party_id)


def figures_from(con: duckdb.DuckDBPyConnection, party_id: int) -> dict[str, Any]:
    """:func:`key_figures` on a mirror connection the caller already holds (the profile reads more from it)."""
    if not 0 < party_id < 2**63:
        raise NotFound("Customer", party_id)
    exists = con.execute("SELECT COUNT(*) FROM customers WHERE id = ?", [party_id]).fetchall()[0][0]
    if not exists:
        raise NotFound("Customer", party_id)
    text, params = sql.customer_orders(DUCKDB, party_id)
    orders, revenue, cost, first_at, last_at, first_revenue = con.execute(text, params).fetchall()[0]
    text, params = sql.customer_contacts(DUCKDB, party_id)
    contacts = dict(con.execute(text, params).fetchall())
    model = fit_model(con) if orders else None
    rates = service_costs()
    service = sum((rates.get(kind, Decimal(0)) * n for kind, n in contacts.items()), Decimal(0))
    revenue, cost = Decimal(revenue or 0), Decimal(cost or 0)
    margin = revenue - cost
    now = timezone.now().replace(tzinfo=None)
    out: dict[str, Any] = {
        "party_id": party_id, "orders": int(orders), "revenue": float(revenue), "cost": float(cost),
        "gross_margin": float(margin), "gross_margin_pct": float(margin / revenue) if revenue else None,
        "service_cost": float(service), "contacts": int(sum(contacts.values())),
        "net_profit": float(margin - service),
        "average_order": float(revenue / orders) if orders else None,
        "first_order_at": first_at.isoformat() if first_at else None,
        "last_order_at": last_at.isoformat() if last_at else None,
        "recency_days": round(days(last_at, now), 1) if last_at else None,
        "tenure_days": round(days(first_at, now), 1) if first_at else None,
        "predicted_value_12m": None, "expected_orders_12m": None, "p_alive": None, "churn_risk": None,
        "model": None,
    }
    if model is not None and first_at is not None:
        x = int(orders) - 1
        mean_repeat = float((revenue - Decimal(first_revenue or 0)) / x) if x > 0 else 0.0
        prediction = model.predict(x=x, t_x=days(first_at, last_at) / 7.0, T=max(days(first_at, now) / 7.0, 1e-6),
                                   mean_value=mean_repeat, horizon_weeks=HORIZON_WEEKS)
        if all(math.isfinite(v) for v in prediction.values()):  # else unknown: JSON has no NaN
            out.update({"predicted_value_12m": round(prediction["predicted_value"], 2),
                        "expected_orders_12m": round(prediction["expected_purchases"], 3),
                        "p_alive": round(prediction["p_alive"], 4),
                        "churn_risk": round(1 - prediction["p_alive"], 4), "model": model.as_dict()})
    return out
