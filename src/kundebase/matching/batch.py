"""The batch engine: prepare → block → compare → train (EM) → score → cluster.

Pure Python, numpy and DuckDB, with no database of ours: the file command, the
benchmark and the full run over the customer database all call :func:`run`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kundebase.matching import blocking, comparisons, fields
from kundebase.matching.model import Params, train

DEFAULT_THRESHOLD = 0.5
RANDOM_PAIRS = 200_000
SESSION_PAIRS = 250_000
"""Pairs sampled from each training block: EM needs pattern counts, not every pair."""
SESSION_BLOCK = 5_000
Progress = Callable[[str, float], None]


@dataclass
class Result:
    params: Params
    comparisons: list[comparisons.Comparison]
    left: np.ndarray
    """Row indices of the left record of each scored pair."""
    right: np.ndarray
    probability: np.ndarray
    field_weights: np.ndarray
    levels: np.ndarray

    def above(self, threshold: float) -> np.ndarray:
        return self.probability >= threshold


def _take(features: comparisons.Features, index: np.ndarray) -> comparisons.Features:
    return {k: v[index] for k, v in features.items()}


def levels_for(kind: str, comps: list[comparisons.Comparison], features: comparisons.Features,
               left: np.ndarray, right: np.ndarray, chunk: int = 100_000) -> np.ndarray:
    parts = [comparisons.compare(kind, comps, _take(features, left[i:i + chunk]), _take(features, right[i:i + chunk]))
             for i in range(0, len(left), chunk)]
    return np.concatenate(parts) if parts else np.zeros((0, len(comps)), dtype=np.int8)


def random_pairs(n: int, size: int, source: np.ndarray | None, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if source is not None:
        lefts, rights = np.flatnonzero(source == 0), np.flatnonzero(source == 1)
        return rng.choice(lefts, size), rng.choice(rights, size)
    a, b = rng.integers(0, n, size), rng.integers(0, n, size)
    keep = a != b
    return a[keep], b[keep]


def run(kind: str, records: Sequence[Mapping[str, Any]], *, source: np.ndarray | None = None,
        params: Params | None = None, progress: Progress | None = None, default_country: str = "NO") -> Result:
    """Score every candidate pair of ``records`` (or, with ``source``, every pair across two files)."""
    say = progress or (lambda _step, _share: None)
    say("prepare", 0.0)
    feats = fields.prepare(records, default_country)
    roles = fields.present_roles(list(records[:5000])) if len(records) else set()
    comps = [c for c in comparisons.for_roles(kind, roles)]
    if params is not None:
        comps = [c for c in comparisons.REGISTRY[kind] if c.name in params.comparisons]
    say("block", 0.25)
    left, right = blocking.candidate_pairs(kind, feats, source)
    say("compare", 0.45)
    levels = levels_for(kind, comps, feats, left, right)
    if params is None:
        say("train", 0.7)
        rl, rr = random_pairs(len(records), min(RANDOM_PAIRS, max(1000, len(records) * 20)), source)
        rnd = levels_for(kind, comps, feats, rl, rr)
        n = len(records)
        total = float((source == 0).sum()) * float((source == 1).sum()) if source is not None else n * (n - 1) / 2
        sessions = []
        for rule, left_out in blocking.TRAINING_SESSIONS[kind]:
            sl, sr = blocking.candidate_pairs(kind, feats, source, rules=(rule,), max_block=SESSION_BLOCK,
                                              sample=SESSION_PAIRS)
            out = [j for j, c in enumerate(comps) if c.name in left_out]
            sessions.append((levels_for(kind, comps, feats, sl, sr), out))
        params = train(kind, [c.name for c in comps], [len(c.levels) for c in comps], levels, rnd, sessions,
                       total_pairs=total)
        params.info["records"] = len(records)
    say("score", 0.9)
    fw = params.field_weights(levels) if len(levels) else np.zeros((0, len(comps)))
    prob = params.probability(levels) if len(levels) else np.zeros(0)
    if kind == "company" and len(left):
        siblings = np.array([bool(a and b and o1 != o2 and a == b) for a, b, o1, o2 in zip(
            feats["group"][left], feats["group"][right], feats["org_number"][left], feats["org_number"][right],
            strict=True)], dtype=bool)
        prob = np.where(siblings, 0.0, prob)
    say("done", 1.0)
    return Result(params, comps, left, right, prob, fw, levels)


def clusters(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected components (union–find with path halving): a cluster number per record."""
    parent = np.arange(n)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(i) for i in range(n)])
