"""The Fellegi–Sunter model: m and u per comparison level, trained without labels.

u (how often non-matches agree by chance) is counted on random pairs, as Splink
does; m (how often true matches agree) and the share of matches among the
candidate pairs come from expectation maximisation on the blocked pairs.  EM runs
on the distinct comparison patterns with their counts, so a million candidate
pairs cost a few thousand rows of arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

M_FLOOR = 1e-4
U_FLOOR = 1e-6
TF: dict[str, tuple[str, int]] = {"given_name": ("given_key", 4), "family_name": ("family_key", 3),
                                  "email": ("email_user", 1)}
"""Comparison → (feature, level) whose agreement is weighed by how common the shared value is.  The e-mail
user name is among them: ``peter.szabo`` at two providers is two Péter Szabós more often than one."""
TF_MIN_COUNT = 2
"""Values seen fewer times are not stored with a model (they count once), which keeps a model small."""


def tf_tables(features: Mapping[str, np.ndarray], names: list[str]) -> dict[str, dict[str, Any]]:
    """Term-frequency tables of the records a model is trained on, for the comparisons in ``TF``."""
    from kundebase.matching.comparisons import CODE

    out: dict[str, dict[str, Any]] = {}
    for name, (feature, level) in TF.items():
        if name not in names:
            continue
        values = features[feature]
        codes = features.get(CODE + feature)
        if codes is None:
            uniq, counts = np.unique(values.astype(str), return_counts=True)
            pairs = zip(uniq.tolist(), counts.tolist(), strict=True)
        else:
            uniq, first, counts = np.unique(codes, return_index=True, return_counts=True)
            pairs = zip(values[first].tolist(), counts.tolist(), strict=True)
        table = {v: c for v, c in pairs if v}
        out[name] = {"feature": feature, "level": level, "total": sum(table.values()),
                     "counts": {v: c for v, c in table.items() if c >= TF_MIN_COUNT}}
    return out


@dataclass
class Params:
    kind: str
    comparisons: list[str]
    m: list[list[float]]
    u: list[list[float]]
    prior: float
    """Probability that a candidate pair is a match, before looking at the fields."""
    info: dict[str, Any] = field(default_factory=dict)
    tf: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Term frequencies per comparison: ``{"feature", "level", "total", "counts"}`` (see ``TF``)."""

    def weights(self) -> list[np.ndarray]:
        return [np.log2(np.maximum(np.array(m), M_FLOOR) / np.maximum(np.array(u), U_FLOOR))
                for m, u in zip(self.m, self.u, strict=True)]

    def field_weights(self, levels: np.ndarray, tf: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """(pairs × comparisons) match weight each field contributed; 0 where a value was missing.

        ``tf`` (from ``term_frequencies``) adjusts the exact-agreement level by how common the shared
        value is, as Splink does: two Nagys agree far more often by chance than two Østbøs.
        """
        out = np.zeros(levels.shape, dtype=float)
        for j, w in enumerate(self.weights()):
            col = levels[:, j]
            out[:, j] = np.where(col >= 0, w[np.clip(col, 0, len(w) - 1)], 0.0)
        for j, adjust in self._adjustments(levels, tf):
            out[:, j] += adjust
        return out

    def match_weight(self, levels: np.ndarray, tf: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """The prior's log-odds plus each field's weight, added column by column: one float per pair in
        memory, not a pairs × comparisons matrix (tens of millions of candidates in a batch)."""
        prior = min(max(self.prior, 1e-9), 1 - 1e-9)
        total = np.full(len(levels), math.log2(prior / (1 - prior)))
        for j, w in enumerate(self.weights()):
            table = np.append(w, 0.0)  # a missing value (-1) reads the last entry: no evidence
            total += table[np.minimum(levels[:, j], len(w) - 1)]
        for _j, adjust in self._adjustments(levels, tf):
            total += adjust
        return total

    def probability(self, levels: np.ndarray, tf: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        return 1.0 / (1.0 + np.power(2.0, -self.match_weight(levels, tf)))

    def _adjustments(self, levels: np.ndarray, tf: Mapping[str, np.ndarray] | None) -> list[tuple[int, np.ndarray]]:
        out = []
        for name, frequency in (tf or {}).items():
            if name not in self.comparisons:
                continue
            j = self.comparisons.index(name)
            level = int(self.tf[name]["level"])
            u = max(float(self.u[j][level]), U_FLOOR)
            out.append((j, np.where(levels[:, j] == level, np.log2(u / np.maximum(frequency, U_FLOOR)), 0.0)))
        return out

    def term_frequencies(self, features: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Per row of ``features``, how often its value of each adjusted comparison occurs among the
        records the model was trained on (a value seen once or never counts once)."""
        out = {}
        for name, table in self.tf.items():
            counts, total = table["counts"], max(int(table["total"]), 1)
            values = features[table["feature"]]
            memo: dict[str, float] = {}
            out[name] = np.fromiter((memo[v] if v in memo else memo.setdefault(v, counts.get(v, 1) / total)
                                     for v in values), dtype=float, count=len(values))
        return out

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "comparisons": self.comparisons, "m": self.m, "u": self.u, "prior": self.prior,
                "info": self.info, "tf": self.tf}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Params:
        return cls(kind=data["kind"], comparisons=list(data["comparisons"]), m=data["m"], u=data["u"],
                   prior=float(data["prior"]), info=dict(data.get("info") or {}), tf=dict(data.get("tf") or {}))


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
