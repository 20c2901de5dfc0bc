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


def train(kind: str, names: list[str], sizes: list[int], candidate_levels: np.ndarray, random_levels: np.ndarray,
          *, total_pairs: float, iterations: int = 40, tolerance: float = 1e-5, initial_prior: float = 0.1) -> Params:
    """EM with u fixed from random pairs; returns the fitted parameters.

    EM works on the candidate pairs, where matches are common; the prior kept for
    scoring is the share of matches among *all* pairs (expected matches / total
    pairs), as in Splink, because a real-world pair that shares a blocking key is
    still mostly a stranger until its fields say otherwise.
    """
    u = level_counts(random_levels, sizes)
    patterns, counts = np.unique(candidate_levels, axis=0, return_counts=True)
    # start m leaning to the strongest level, the usual EM initialisation
    m = []
    for size in sizes:
        start = np.linspace(0.05, 1.0, size) ** 3
        m.append(start / start.sum())
    prior = initial_prior
    done = 0
    for done in range(1, iterations + 1):  # noqa: B007
        params = Params(kind, names, [x.tolist() for x in m], [x.tolist() for x in u], min(prior, 1 - 1e-6))
        p = params.probability(patterns)
        resp = p * counts
        new_prior = float(resp.sum() / counts.sum())
        new_m = []
        for j, size in enumerate(sizes):
            col = patterns[:, j]
            agree = np.array([resp[col == lv].sum() for lv in range(size)]) + 1e-3
            new_m.append(agree / agree.sum())
        change = max(abs(new_prior - prior), *(float(np.abs(a - b).max()) for a, b in zip(new_m, m, strict=True)))
        m, prior = new_m, new_prior
        if change < tolerance:
            break
    expected = prior * float(counts.sum())
    global_prior = min(0.5, max(expected, 1.0) / max(total_pairs, 1.0))
    return Params(kind, names, [x.tolist() for x in m], [x.tolist() for x in u], global_prior,
                  info={"em_iterations": done, "candidate_pairs": int(counts.sum()), "patterns": len(patterns),
                        "candidate_prior": prior, "expected_matches": expected})
