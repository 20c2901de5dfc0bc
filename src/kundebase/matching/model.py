"""The Fellegi–Sunter model: m and u per comparison level, trained without labels.

u (how often non-matches agree by chance) is counted on random pairs, as Splink
does; m (how often true matches agree) and the share of matches among the
candidate pairs come from expectation maximisation on the blocked pairs.  EM runs
on the distinct comparison patterns with their counts, so a million candidate
pairs cost a few thousand rows of arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

M_FLOOR = 1e-4
U_FLOOR = 1e-6


@dataclass
class Params:
    kind: str
    comparisons: list[str]
    m: list[list[float]]
    u: list[list[float]]
    prior: float
    """Probability that a candidate pair is a match, before looking at the fields."""
    info: dict[str, Any] = field(default_factory=dict)

    def weights(self) -> list[np.ndarray]:
        return [np.log2(np.maximum(np.array(m), M_FLOOR) / np.maximum(np.array(u), U_FLOOR))
                for m, u in zip(self.m, self.u, strict=True)]

    def field_weights(self, levels: np.ndarray) -> np.ndarray:
        """(pairs × comparisons) match weight each field contributed; 0 where a value was missing."""
        out = np.zeros(levels.shape, dtype=float)
        for j, w in enumerate(self.weights()):
            col = levels[:, j]
            out[:, j] = np.where(col >= 0, w[np.clip(col, 0, len(w) - 1)], 0.0)
        return out

    def match_weight(self, levels: np.ndarray) -> np.ndarray:
        prior = min(max(self.prior, 1e-9), 1 - 1e-9)
        return math.log2(prior / (1 - prior)) + self.field_weights(levels).sum(axis=1)

    def probability(self, levels: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.power(2.0, -self.match_weight(levels)))

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "comparisons": self.comparisons, "m": self.m, "u": self.u, "prior": self.prior,
                "info": self.info}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Params:
        return cls(kind=data["kind"], comparisons=list(data["comparisons"]), m=data["m"], u=data["u"],
                   prior=float(data["prior"]), info=dict(data.get("info") or {}))


def level_counts(levels: np.ndarray, sizes: list[int], weights: np.ndarray | None = None) -> list[np.ndarray]:
    """Share of each level per comparison (nulls ignored), with a little smoothing so no level is zero."""
    out = []
    w = np.ones(len(levels)) if weights is None else weights
    for j, size in enumerate(sizes):
        col = levels[:, j]
        counts = np.array([w[col == lv].sum() for lv in range(size)]) + 0.5
        out.append(counts / counts.sum())
    return out


def unique_rows(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a level matrix with their counts; rows are packed into one integer first
    (levels fit in 4 bits), which is many times faster than ``np.unique(axis=0)`` on millions of rows."""
    if levels.shape[1] == 0 or levels.shape[1] > 15:
        return np.unique(levels, axis=0, return_counts=True)
    packed = np.zeros(len(levels), dtype=np.int64)
    for j in range(levels.shape[1]):
        packed = (packed << 4) | (levels[:, j].astype(np.int64) + 1)
    keys, first, counts = np.unique(packed, return_index=True, return_counts=True)
    return levels[first], counts


def _em(patterns: np.ndarray, counts: np.ndarray, active: list[int], m: list[np.ndarray], u: list[np.ndarray],
        sizes: list[int], iterations: int, tolerance: float) -> tuple[list[np.ndarray], float, int]:
    """EM for m (active comparisons only) and the session's share of matches; u stays fixed."""
    prior = 0.1
    done = 0
    sub = patterns[:, active]
    for done in range(1, iterations + 1):  # noqa: B007
        params = Params("", [], [m[j].tolist() for j in active], [u[j].tolist() for j in active], prior)
        resp = params.probability(sub) * counts
        new_prior = float(resp.sum() / counts.sum())
        change = abs(new_prior - prior)
        for j in active:
            col = patterns[:, j]
            agree = np.array([resp[col == lv].sum() for lv in range(sizes[j])]) + 1e-3
            new = agree / agree.sum()
            change = max(change, float(np.abs(new - m[j]).max()))
            m[j] = new
        prior = min(max(new_prior, 1e-6), 1 - 1e-6)
        if change < tolerance:
            break
    return m, prior, done


def train(kind: str, names: list[str], sizes: list[int], candidate_levels: np.ndarray, random_levels: np.ndarray,
          sessions: list[tuple[np.ndarray, list[int]]], *, total_pairs: float, iterations: int = 40,
          tolerance: float = 1e-5) -> Params:
    """Fit m (EM, per training session), u (random pairs) and the prior.

    As in Splink, each EM session runs on pairs blocked by one wide rule (all pairs
    sharing a birth date, say) and leaves out the comparisons that rule forces to
    agree; such a block holds many non-matches, so EM can learn that two records
    sharing only a name are strangers.  EM on the prediction candidates alone
    drifts to "everything matches" when blocking is good.  m of a comparison is
    the mean over the sessions that estimated it.  The prior for scoring is the
    share of matches among *all* pairs: the expected matches among the candidates
    (solved with m and u fixed) divided by the number of possible pairs.
    """
    u = level_counts(random_levels, sizes)
    estimates: list[list[np.ndarray]] = [[] for _ in sizes]
    done = []
    for levels, left_out in sessions:
        active = [j for j in range(len(sizes)) if j not in left_out]
        if len(levels) == 0 or not active:
            continue
        patterns, counts = unique_rows(levels)
        m = []
        for size in sizes:
            start = np.linspace(0.05, 1.0, size) ** 3
            m.append(start / start.sum())
        m, _prior, iters = _em(patterns, counts.astype(float), active, m, u, sizes, iterations, tolerance)
        done.append(iters)
        for j in active:
            estimates[j].append(m[j])
    m_final = []
    for j, size in enumerate(sizes):
        if estimates[j]:
            m_final.append(np.mean(estimates[j], axis=0))
        else:  # no session could estimate it: a cautious default
            start = np.linspace(0.05, 1.0, size) ** 2
            m_final.append(start / start.sum())
    cand_patterns, cand_counts = unique_rows(candidate_levels)
    params = Params(kind, names, [x.tolist() for x in m_final], [x.tolist() for x in u], 0.5)
    bayes = np.power(2.0, params.field_weights(cand_patterns).sum(axis=1)) if len(cand_patterns) else np.zeros(0)
    prior = 0.1
    for _ in range(100):  # one-parameter EM: the share of matches among candidates
        p = prior * bayes / (prior * bayes + (1 - prior))
        new = float((p * cand_counts).sum() / max(cand_counts.sum(), 1))
        if abs(new - prior) < 1e-7:
            break
        prior = min(max(new, 1e-6), 1 - 1e-6)
    expected = prior * float(cand_counts.sum())
    params.prior = min(0.5, max(expected, 1.0) / max(total_pairs, 1.0))
    params.info = {"em_iterations": done, "candidate_pairs": int(cand_counts.sum()), "patterns": len(cand_patterns),
                   "expected_matches": expected}
    return params
