"""Blocking: which pairs are compared at all.

A record yields one key per rule (``rule|value``); two records are a candidate
pair when they share any key.  The union of several rules keeps recall high
(a typo in the name is caught by the phone or the birth date rule), while keys
shared by more than ``MAX_BLOCK`` records (``Hansen`` in Oslo) are dropped,
keeping candidates few.  The same keys fill the ``BlockingKey`` table that the
entry check looks up, so batch and entry see the same candidates.
"""

from __future__ import annotations

import duckdb
import numpy as np

from kundebase.matching.comparisons import CODE, Features

MAX_BLOCK = 200

RULES: dict[str, tuple[tuple[str, ...], ...]] = {
    "person": (
        ("phone",), ("email",), ("national_id",), ("name_pair",), ("family_key", "birth_date"),
        ("given_nick", "birth_date"), ("birth_date", "postcode"), ("street_key", "postcode"),
        ("given_nick", "family_key"), ("family_key", "postcode", "house"), ("birth_date", "street_key"),
    ),
    "company": (
        ("org_number",), ("company_key",), ("phone",), ("website",), ("email",), ("street_key", "postcode"),
        ("company_first", "postcode"), ("company_first", "city"),
    ),
}
"""Rules per kind: each a tuple of features that must all be equal (and non-empty).

A key names its rule by position, so rules are only ever appended or removed from the end.  Given
name + postcode and family name + city were removed: at a million customers they made 54 of 63 million
candidate pairs and found not one true duplicate that another rule missed (``benchmarks/matching.py``).
Keys of removed rules left in the database are never asked for; ``kundebase match keys`` clears them."""


def _derived(features: Features, name: str) -> np.ndarray:
    if name == "name_pair":
        # sorted, so "Nagy István" and "István Nagy" share the key
        return np.array(["|".join(sorted((g, f))) if g and f else "" for g, f in
                         zip(features["given_key"], features["family_key"], strict=True)], dtype=object)
    if name == "company_first":
        return np.array([k.split()[0] if k else "" for k in features["company_key"]], dtype=object)
    return features[name]


TRAINING_SESSIONS: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = {
    "person": ((("birth_date",), ("birth_date",)), (("postcode",), ("place",))),
    "company": ((("postcode",), ("place", "street")), (("company_first",), ("company_name",))),
}
"""EM sessions as in Splink: (blocking rule, comparisons left out because the rule makes them agree)."""


def keys(kind: str, features: Features, rules: tuple[tuple[str, ...], ...] | None = None) -> list[list[str]]:
    """Blocking keys per record (list per record)."""
    n = len(next(iter(features.values())))
    out: list[list[str]] = [[] for _ in range(n)]
    for number, rule in enumerate(rules or RULES[kind]):
        columns = [_derived(features, f) for f in rule]
        for i, values in enumerate(zip(*columns, strict=True)):
            if all(values):
                out[i].append(f"{number}:" + "|".join(values))
    return out


def _rule_codes(features: Features, rule: tuple[str, ...], vocab: dict[str, int]) -> list[np.ndarray]:
    """Integer codes (0 = empty) of each column of a rule, equal where the key's values are equal."""
    def codes(name: str) -> np.ndarray:
        if CODE + name in features:
            return features[CODE + name].astype(np.int64)
        column = _derived(features, name) if name == "company_first" else features[name]
        return np.fromiter((vocab.setdefault(v, len(vocab)) for v in column), dtype=np.int64, count=len(column))

    out: list[np.ndarray] = []
    for name in rule:
        if name == "name_pair":  # sorted, as in ``keys``
            given, family = codes("given_key"), codes("family_key")
            both = (given > 0) & (family > 0)
            out += [np.where(both, np.minimum(given, family), 0), np.where(both, np.maximum(given, family), 0)]
        else:
            out.append(codes(name))
    return out


def candidate_pairs(kind: str, features: Features, source: np.ndarray | None = None,
                    con: duckdb.DuckDBPyConnection | None = None, rules: tuple[tuple[str, ...], ...] | None = None,
                    max_block: int = MAX_BLOCK, sample: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(left row indices, right row indices) of every candidate pair, each pair once.

    The same blocks as ``keys`` gives, built from integer codes instead of key strings: a million records
    have about ten million keys, which as Python strings cost more time and memory than the matching.
    With ``source`` (0 = left file, 1 = right file) only pairs across the two files are made (linking).
    ``rules``, ``max_block`` and ``sample`` serve the training sessions (wide blocks, a random sample).
    """
    n = len(next(iter(features.values())))
    vocab: dict[str, int] = {"": 0}
    parts: dict[str, list[np.ndarray]] = {"rid": [], "src": [], "rule": [], "a": [], "b": [], "c": [], "d": []}
    origin = source.astype(np.int8) if source is not None else np.zeros(n, dtype=np.int8)
    for number, rule in enumerate(rules or RULES[kind]):
        columns = _rule_codes(features, rule, vocab)
        keep = np.logical_and.reduce([c > 0 for c in columns])
        rows = np.flatnonzero(keep)
        parts["rid"].append(rows.astype(np.int32))
        parts["src"].append(origin[rows])
        parts["rule"].append(np.full(len(rows), number, dtype=np.int8))
        for slot, name in enumerate("abcd"):  # codes are below 2**31: half the memory of int64
            parts[name].append(columns[slot][rows].astype(np.int32) if slot < len(columns) else
                               np.zeros(len(rows), dtype=np.int32))
    con = con or duckdb.connect(config={"preserve_insertion_order": False})
    con.register("bk", {k: np.concatenate(v) for k, v in parts.items()})
    del parts
    cross = "x.src = 0 AND y.src = 1" if source is not None else "x.rid < y.rid"
    small = (f"SELECT rule, a, b, c, d, count(*) AS n FROM bk GROUP BY rule, a, b, c, d "
             f"HAVING count(*) BETWEEN 2 AND {int(max_block)}")
    keep_pair = "TRUE"
    if sample:
        # thin the pairs inside the join, before anything is materialised: wide training blocks
        # (everyone sharing a postcode) can hold hundreds of millions of pairs
        total = con.execute(f"SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM ({small})").fetchall()[0][0]
        if total > sample:
            keep_pair = f"hash(x.rid::BIGINT * 1000003 + y.rid) % {int(total // sample) + 1} = 0"
    result = con.execute(f"""
        WITH small AS ({small}),
             kept AS (SELECT bk.* FROM bk JOIN small USING (rule, a, b, c, d))
        SELECT DISTINCT x.rid AS l, y.rid AS r FROM kept x JOIN kept y
            ON x.rule = y.rule AND x.a = y.a AND x.b = y.b AND x.c = y.c AND x.d = y.d AND {cross} AND {keep_pair}
        ORDER BY l, r
    """).fetchnumpy()
    con.unregister("bk")
    return np.asarray(result["l"], dtype=np.int64), np.asarray(result["r"], dtype=np.int64)
