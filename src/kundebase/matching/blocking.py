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

from kundebase.matching.comparisons import Features

MAX_BLOCK = 200

RULES: dict[str, tuple[tuple[str, ...], ...]] = {
    "person": (
        ("phone",), ("email",), ("national_id",), ("name_pair",), ("family_key", "birth_date"),
        ("given_nick", "birth_date"), ("birth_date", "postcode"), ("street_key", "postcode"),
        ("given_nick", "family_key"), ("family_key", "postcode", "house"), ("birth_date", "street_key"),
        ("given_nick", "postcode"), ("family_key", "city"),
    ),
    "company": (
        ("org_number",), ("company_key",), ("phone",), ("website",), ("email",), ("street_key", "postcode"),
        ("company_first", "postcode"), ("company_first", "city"),
    ),
}
"""Rules per kind: each a tuple of features that must all be equal (and non-empty)."""


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


def candidate_pairs(kind: str, features: Features, source: np.ndarray | None = None,
                    con: duckdb.DuckDBPyConnection | None = None, rules: tuple[tuple[str, ...], ...] | None = None,
                    max_block: int = MAX_BLOCK, sample: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(left row indices, right row indices) of every candidate pair, each pair once.

    With ``source`` (0 = left file, 1 = right file) only pairs across the two files are made (linking).
    ``rules``, ``max_block`` and ``sample`` serve the training sessions (wide blocks, a random sample).
    """
    per_record = keys(kind, features, rules)
    rid = np.repeat(np.arange(len(per_record), dtype=np.int64), [len(k) for k in per_record])
    flat = np.array([k for ks in per_record for k in ks], dtype=object)
    src = (source if source is not None else np.zeros(len(per_record), dtype=np.int8))[rid]
    con = con or duckdb.connect()
    con.register("bk", {"rid": rid, "k": flat, "src": src.astype(np.int8)})
    cross = "a.src = 0 AND b.src = 1" if source is not None else "a.rid < b.rid"
    small = f"SELECT k, count(*) AS c FROM bk GROUP BY k HAVING count(*) BETWEEN 2 AND {int(max_block)}"
    keep = "TRUE"
    if sample:
        # thin the pairs inside the join, before anything is materialised: wide training blocks
        # (everyone sharing a postcode) can hold hundreds of millions of pairs
        total = con.execute(f"SELECT coalesce(sum(c * (c - 1) / 2), 0) FROM ({small})").fetchall()[0][0]
        if total > sample:
            keep = f"hash(a.rid * 1000003 + b.rid) % {int(total // sample) + 1} = 0"
    result = con.execute(f"""
        WITH small AS ({small}),
             kept AS (SELECT bk.* FROM bk JOIN small USING (k))
        SELECT DISTINCT a.rid AS l, b.rid AS r FROM kept a JOIN kept b ON a.k = b.k AND {cross} AND {keep}
        ORDER BY l, r
    """).fetchnumpy()
    con.unregister("bk")
    return np.asarray(result["l"], dtype=np.int64), np.asarray(result["r"], dtype=np.int64)
