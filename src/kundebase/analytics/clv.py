"""Customer lifetime value: the BG/NBD purchase model and the Gamma-Gamma spend model.

Implemented here with numpy/scipy rather than taken from ``lifetimes`` (unmaintained,
pulls pandas/autograd) or ``pymc-marketing`` (pulls PyMC and a compiler toolchain).
The formulas are those of Fader, Hardie & Lee, "Counting Your Customers the Easy Way"
(Marketing Science 24(2), 2005) and "RFM and CLV: Using Iso-Value Curves" (JMR 2005);
the tests reproduce the papers' CDNOW figures.

Time is in weeks.  ``x`` is the number of *repeat* purchases, ``t_x`` the time of the
last purchase and ``T`` the age of the customer, both measured from the first purchase.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1


@dataclass(frozen=True)
class BgNbd:
    r: float
    alpha: float
    a: float
    b: float

    def log_likelihood(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray,
                       weights: np.ndarray | None = None) -> float:
        return float(-_bgnbd_nll(np.log([self.r, self.alpha, self.a, self.b]), x, t_x, T,
                                 np.ones_like(x) if weights is None else weights))

    def expected_purchases(self, t: float, x: np.ndarray | float, t_x: np.ndarray | float,
                           T: np.ndarray | float) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: purchases expected in the next ``t`` weeks (equation 10 of the paper)."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        # The paper's ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; z) is 0 · ∞ for a customer with hundreds of
        # purchases.  Euler's transformation 2F1(A, B; C; z) = (1−z)^(C−A−B) · 2F1(C−A, C−B; C; z), with
        # 1−z = (α+T)/(α+T+t), gives the same product as (1−z)^(a−1) · 2F1(a+b−1−r, a−1; C; z), with no power
        # of x; it stands in where the paper's form is not finite.
        z = t / (alpha + T + t)
        with np.errstate(over="ignore", invalid="ignore"):
            direct = ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
            euler = ((alpha + T) / (alpha + T + t)) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
        first = (a + b + x - 1) / (a - 1)
        second = 1 - np.where(np.isfinite(direct), direct, euler)
        with np.errstate(over="ignore", invalid="ignore"):  # an infinite denominator is the right limit
            third = 1 + np.where(x > 0, a / np.maximum(b + x - 1, 1e-12) * ((alpha + T) / (alpha + t_x)) ** (r + x),
                                 0.0)  # no repeat purchase: no second term (0 · ∞ would be NaN)
        return first * second / third

    def unconditional_purchases(self, t: float) -> float:
        """E[X(t)] for a new customer (equation 7)."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        return float((a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1,
                                                                                      t / (alpha + t))))

    def p_alive(self, x: np.ndarray | float, t_x: np.ndarray | float, T: np.ndarray | float) -> np.ndarray:
        """P(still active | x, t_x, T); one minus it is the churn risk."""
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        with np.errstate(over="ignore", invalid="ignore"):  # infinite odds: surely gone, P(alive) = 0
            odds = np.where(x > 0, self.a / np.maximum(self.b + x - 1, 1e-12) * (
                (self.alpha + T) / (self.alpha + t_x)) ** (self.r + x), 0.0)  # no repeat purchase: alive
        return 1.0 / (1.0 + odds)


def _bgnbd_nll(log_params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, w: np.ndarray) -> float:
    # A step far out (data without a time span, every order in one instant, sends the search there) overflows:
    # such parameters are infinitely unlikely rather than an error.
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        r, alpha, a, b = np.exp(log_params)
        a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
        a3 = -(r + x) * np.log(alpha + T)
        a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
                      -np.inf)
        total = float(-(w * (a1 + a2 + np.logaddexp(a3, a4))).sum())
    return total if np.isfinite(total) else float("inf")


def fit_bgnbd(x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray | None = None) -> BgNbd:
    """Maximum-likelihood fit (Nelder–Mead on log parameters, as in the paper's spreadsheet)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    r, alpha, a, b = np.exp(_minimise(_bgnbd_nll, 4, (x, t_x, T, w)))
    return BgNbd(float(r), float(alpha), float(a), float(b))


LOG_BOUND = 15.0
"""Every parameter is searched between e^-15 and e^15: far beyond any real book's values, and it keeps a
search on data the model cannot describe (every order on one day) from running off to infinity."""


def _minimise(nll: object, size: int, args: tuple[np.ndarray, ...]) -> np.ndarray:
    """The log parameters that minimise ``nll``: L-BFGS-B within :data:`LOG_BOUND` (a few hundred evaluations
    of the likelihood where Nelder–Mead took thousands: minutes on a million customers), and Nelder–Mead, the
    papers' method, only when that search fails to find a finite optimum."""
    bounds = [(-LOG_BOUND, LOG_BOUND)] * size
    result = minimize(nll, np.zeros(size), args=args, method="L-BFGS-B", bounds=bounds,
                      options={"ftol": 1e-12, "gtol": 1e-8, "maxiter": 2000})
    if np.all(np.isfinite(result.x)) and np.isfinite(result.fun):
        return np.asarray(result.x)
    result = minimize(nll, np.zeros(size), args=args, method="Nelder-Mead",
                      options={"xatol": 1e-6, "fatol": 1e-6, "maxiter": 4000, "maxfev": 8000})
    return np.asarray(result.x)


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    gamma: float

    def expected_value(self, x: np.ndarray | float, mean_value: np.ndarray | float) -> np.ndarray:
        """E[M | x, m̄]: a customer's expected average order value (shrunk towards the population mean)."""
        x, m = np.asarray(x, dtype=float), np.asarray(mean_value, dtype=float)
        population = self.p * self.gamma / (self.q - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            individual = self.p * (self.gamma + x * m) / (self.p * x + self.q - 1)
        return np.where(x > 0, individual, population)


def _gg_nll(log_params: np.ndarray, x: np.ndarray, m: np.ndarray) -> float:
    p, q, g = np.exp(log_params)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ll = (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(g) + (p * x - 1) * np.log(m)
              + p * x * np.log(x) - (p * x + q) * np.log(g + x * m))
    total = float(-ll.sum())
    return total if np.isfinite(total) else float("inf")


def fit_gamma_gamma(x: np.ndarray, mean_value: np.ndarray) -> GammaGamma:
    """Fit on repeat customers only (x > 0, m̄ > 0), as the model requires."""
    x, m = np.asarray(x, dtype=float), np.asarray(mean_value, dtype=float)
    keep = (x > 0) & (m > 0)
    p, q, g = np.exp(_minimise(_gg_nll, 3, (x[keep], m[keep])))
    return GammaGamma(float(p), float(q), float(g))


@dataclass(frozen=True)
class ClvModel:
    purchases: BgNbd
    spend: GammaGamma | None

    def as_dict(self) -> dict[str, object]:
        return {"purchases": asdict(self.purchases), "spend": asdict(self.spend) if self.spend else None}

    def finite(self) -> bool:
        """Whether every fitted parameter is a finite number (a fit on data without a time span, every order in
        the same instant, runs off to infinity and predicts nothing)."""
        values = [*asdict(self.purchases).values(), *(asdict(self.spend).values() if self.spend else ())]
        return bool(np.all(np.isfinite(values)))

    @classmethod
    def from_dict(cls, data: dict[str, dict[str, float]]) -> ClvModel:
        spend = data.get("spend")
        return cls(BgNbd(**data["purchases"]), GammaGamma(**spend) if spend else None)

    def predict(self, *, x: float, t_x: float, T: float, mean_value: float, horizon_weeks: float = 52.0,
                ) -> dict[str, float]:
        expected = float(self.purchases.expected_purchases(horizon_weeks, x, t_x, T))
        alive = float(self.purchases.p_alive(x, t_x, T))
        value = float(self.spend.expected_value(x, mean_value)) if self.spend else mean_value
        return {"expected_purchases": expected, "p_alive": alive, "expected_order_value": value,
                "predicted_value": expected * value}
