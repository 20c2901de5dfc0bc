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
from kundebase.matching.model import Params, tf_tables, train

DEFAULT_THRESHOLD = 0.5
RANDOM_PAIRS = 200_000
SESSION_PAIRS = 250_000
"""Pairs sampled from each training block: EM needs pattern counts, not every pair."""
SESSION_BLOCK = 5_000
Progress = Callable[[str, float], None]


CHUNK = 500_000
"""Pairs compared at a time: large enough that distinct value pairs repeat within a chunk, small enough that
a chunk's columns stay a few hundred megabytes."""


@dataclass
class Result:
    params: Params
    comparisons: list[comparisons.Comparison]
    left: np.ndarray
    """Row indices of the left record of each scored pair."""
    right: np.ndarray
    probability: np.ndarray
    levels: np.ndarray
    tf: dict[str, np.ndarray]
    """Term frequency of each adjusted comparison's value, per record (see ``Params.term_frequencies``)."""

    def above(self, threshold: float) -> np.ndarray:
        return self.probability >= threshold

    def field_weights(self, index: np.ndarray | None = None) -> np.ndarray:
        """(pairs × comparisons) weights of the pairs at ``index`` (all when None): computed on demand,
        because for tens of millions of candidates the full matrix would be gigabytes few ever read."""
        index = np.arange(len(self.levels)) if index is None else index
        tf = {k: v[self.left[index]] for k, v in self.tf.items()}
        levels = self.levels[index]
        return self.params.field_weights(levels, tf) if len(levels) else np.zeros((0, len(self.comparisons)))


class Taken(dict[str, np.ndarray]):
    """The features of a chunk of pairs' records, each column taken only when a comparison reads it."""

    def __init__(self, base: comparisons.Features, index: np.ndarray) -> None:
        super().__init__()
        self.base, self.index = base, index
        self.rows = len(index)  # known before any column is taken (comparisons.pair_count)

    def __missing__(self, name: str) -> np.ndarray:
        value = self[name] = self.base[name][self.index]
        return value

    def __contains__(self, name: object) -> bool:
        return name in self.base or dict.__contains__(self, name)

    def copy(self) -> Taken:
        out = Taken(self.base, self.index)
        out.update(self)
        return out


def levels_for(kind: str, comps: list[comparisons.Comparison], features: comparisons.Features,
               left: np.ndarray, right: np.ndarray, chunk: int = CHUNK) -> np.ndarray:
    out = np.zeros((len(left), len(comps)), dtype=np.int8)
    for i in range(0, len(left), chunk):
        out[i:i + chunk] = comparisons.compare(kind, comps, Taken(features, left[i:i + chunk]),
                                               Taken(features, right[i:i + chunk]))
    return out


def random_pairs(n: int, size: int, source: np.ndarray | None, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if source is not None:
        lefts, rights = np.flatnonzero(source == 0), np.flatnonzero(source == 1)
        return rng.choice(lefts, size), rng.choice(rights, size)
    a, b = rng.integers(0, n, size), rng.integers(0, n, size)
    keep = a != b
    return a[keep], b[keep]


DETERMINISTIC: dict[str, tuple[tuple[str, ...], ...]] = {
    "person": (("email",), ("national_id",), ("given_key", "family_key", "birth_date")),
    "company": (("org_number",), ("website",)),
}
"""Rules whose pairs are nearly all true matches: the count of such pairs, divided by the share of true
matches they are assumed to find, estimates how many matches there are, as Splink estimates its prior."""
DETERMINISTIC_RECALL = 0.8


def deterministic_pairs(kind: str, feats: comparisons.Features, source: np.ndarray | None) -> int | None:
    """Pairs sharing a deterministic key, or None when the records carry none of those fields.

    The prior fitted by EM on the candidates alone overestimates the matches as a file grows: names and
    e-mail user names agree together far more often than independence assumes (two Péter Szabós often
    both write peterszabo@), and at a million customers the overestimate was fifteenfold.
    """
    rules = tuple(r for r in DETERMINISTIC[kind] if all((feats[comparisons.CODE + f] > 0).any() for f in r))
    if not rules:
        return None
    left, _right = blocking.candidate_pairs(kind, feats, source, rules=rules)
    return int(len(left))


def run(kind: str, records: Sequence[Mapping[str, Any]], *, source: np.ndarray | None = None,
        params: Params | None = None, progress: Progress | None = None, default_country: str = "NO") -> Result:
    """Score every candidate pair of ``records`` (or, with ``source``, every pair across two files)."""
    say = progress or (lambda _step, _share: None)
    say("prepare", 0.0)
    feats = fields.prepare(records, default_country, codes=True)
    roles = fields.present_roles(list(records[:5000])) if len(records) else set()
    return run_prepared(kind, feats, roles, len(records), source=source, params=params, say=say)


def run_columns(kind: str, columns: Mapping[str, Sequence[Any]], n: int, *, source: np.ndarray | None = None,
                params: Params | None = None, progress: Progress | None = None, default_country: str = "NO"
                ) -> Result:
    """``run`` for records given as columns (role → values), as the file command reads them."""
    say = progress or (lambda _step, _share: None)
    say("prepare", 0.0)
    feats = fields.prepare_columns(columns, n, default_country, codes=True)
    roles = {role for role, values in columns.items() if any(v not in (None, "") for v in values[:5000])}
    return run_prepared(kind, feats, roles, n, source=source, params=params, say=say)


def run_table(kind: str, con: Any, table: str, mapping: Mapping[str, str], n: int, *,
              source: np.ndarray | None = None, params: Params | None = None, progress: Progress | None = None,
              default_country: str = "NO", release: bool = False) -> Result:
    """``run`` for records in a DuckDB table (``mapping``: role → column), as the file command loads them.

    ``release``: the table may be dropped once it is read."""
    quote = fields.quote
    if "full_name" in mapping:  # names are split in Python
        columns = {role: [r[0] for r in con.sql(f"SELECT {quote(col)} FROM {table}").fetchall()]
                   for role, col in mapping.items()}
        return run_columns(kind, columns, n, source=source, params=params, progress=progress,
                           default_country=default_country)
    say = progress or (lambda _step, _share: None)
    say("prepare", 0.0)
    feats = fields.prepare_table(con, table, mapping, n, default_country, codes=True)
    present = con.execute("SELECT " + ", ".join(f"count({quote(col)}) FILTER (WHERE {quote(col)} <> '')"
                                                for col in mapping.values()) +
                          f" FROM (SELECT * FROM {table} LIMIT 5000)").fetchall()[0]
    roles = {role for role, count in zip(mapping, present, strict=True) if count}
    if release:  # the caller's rows are read: give their memory to the matching
        con.execute(f"DROP TABLE {table}")
    fields.clear_caches()
    return run_prepared(kind, feats, roles, n, source=source, params=params, say=say)


def run_prepared(kind: str, feats: comparisons.Features, roles: set[str], n: int, *, source: np.ndarray | None,
                 params: Params | None, say: Progress) -> Result:
    """The engine proper, on features prepared with ``codes=True`` (the ``#`` columns it blocks and compares on)."""
    comps = [c for c in comparisons.for_roles(kind, roles)]
    if params is not None:
        comps = [c for c in comparisons.REGISTRY[kind] if c.name in params.comparisons]
    say("block", 0.25)
    left, right = blocking.candidate_pairs(kind, feats, source)
    say("compare", 0.45)
    levels = levels_for(kind, comps, feats, left, right)
    if params is None:
        say("train", 0.7)
        rl, rr = random_pairs(n, min(RANDOM_PAIRS, max(1000, n * 20)), source)
        rnd = levels_for(kind, comps, feats, rl, rr)
        total = float((source == 0).sum()) * float((source == 1).sum()) if source is not None else n * (n - 1) / 2
        sessions = []
        for rule, left_out in blocking.TRAINING_SESSIONS[kind]:
            sl, sr = blocking.candidate_pairs(kind, feats, source, rules=(rule,), max_block=SESSION_BLOCK,
                                              sample=SESSION_PAIRS)
            out = [j for j, c in enumerate(comps) if c.name in left_out]
            sessions.append((levels_for(kind, comps, feats, sl, sr), out))
        params = train(kind, [c.name for c in comps], [len(c.levels) for c in comps], levels, rnd, sessions,
                       total_pairs=total)
        params.info["records"] = n
        params.tf = tf_tables(feats, params.comparisons)
        sure = deterministic_pairs(kind, feats, source)
        if sure is not None:
            params.info["deterministic_pairs"] = sure
            params.prior = min(0.5, max(sure / DETERMINISTIC_RECALL, 1.0) / max(total, 1.0))
    say("score", 0.9)
    per_record = params.term_frequencies(feats)
    prob = params.probability(levels, {k: v[left] for k, v in per_record.items()}) if len(levels) else np.zeros(0)
    if kind == "company" and len(left):
        siblings = np.array([bool(a and b and o1 != o2 and a == b) for a, b, o1, o2 in zip(
            feats["group"][left], feats["group"][right], feats["org_number"][left], feats["org_number"][right],
            strict=True)], dtype=bool)
        prob = np.where(siblings, 0.0, prob)
    say("done", 1.0)
    return Result(params, comps, left, right, prob, levels, per_record)


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
