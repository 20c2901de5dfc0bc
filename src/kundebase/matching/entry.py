"""The duplicate check at entry: is the record being created already known?

The fast path: blocking keys of the new record are looked up in the indexed
``BlockingKey`` table, the candidates' records are loaded in three queries, and
the trained model in force scores them with the same comparison functions as
the batch engine — so a pair gets the same probability here as in a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from kundebase.matching import blocking, comparisons, fields, records, store
from kundebase.matching.model import Params

THRESHOLD = 0.9
WARN_THRESHOLD = 0.8
"""Where a person decides (a form, an API client that asked to be warned) a lower bar is right: the
warning costs one click, a missed duplicate costs a merge later.  Automatic paths keep ``THRESHOLD``."""
MAX_REASONS = 5
KEYS_PER_STATEMENT = 200


@dataclass
class Candidate:
    party_id: int
    display_name: str
    customer_number: str
    score: float
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"party_id": self.party_id, "display_name": self.display_name,
                "customer_number": self.customer_number, "score": round(self.score, 4), "reasons": self.reasons}


def reasons_for(comps: list[comparisons.Comparison], levels: np.ndarray, weights: np.ndarray,
                limit: int = MAX_REASONS) -> list[str]:
    """The fields that spoke most for the match, in words ("same phone", "similar given name")."""
    ranked = sorted(range(len(comps)), key=lambda j: -weights[j])
    return [str(comps[j].levels[levels[j]]) for j in ranked if weights[j] > 1.0 and levels[j] > 0][:limit]


def candidate_ids(kind: str, keys: list[str], exclude_id: int | None = None) -> list[int]:
    """Parties sharing a blocking key; a key shared by more than ``MAX_BLOCK`` parties is ignored, as in batch.

    All keys go to the database in one statement (a record has a dozen keys; a query per key was most of
    the time an entry check took), each branch reading at most ``MAX_BLOCK + 1`` index entries.
    """
    from django.db import connection

    blocks: dict[int, list[int]] = {}
    with connection.cursor() as cursor:
        # A record has a dozen keys or so; a pathological one (hundreds of e-mails) is asked in slices that
        # stay below SQLite's limit on the terms of one compound SELECT (500).
        for start in range(0, len(keys), KEYS_PER_STATEMENT):
            part = list(keys[start:start + KEYS_PER_STATEMENT])
            cursor.execute(_candidates_sql(connection.vendor, len(part), blocking.MAX_BLOCK + 1), part)
            for branch, party_id in cursor.fetchall():
                blocks.setdefault(start + branch, []).append(party_id)
    found = {pid for ids in blocks.values() if len(ids) <= blocking.MAX_BLOCK for pid in ids}
    found.discard(exclude_id)  # type: ignore[arg-type]
    return sorted(found)


@lru_cache(maxsize=64)
def _candidates_sql(vendor: str, count: int, per_key: int) -> str:
    """``(branch, party id)`` rows, at most ``per_key`` per key (``vendor`` keys the cache: quoting differs)."""
    from django.db import connection

    from kundebase.matching.models import BlockingKey

    quote = connection.ops.quote_name
    table, key = quote(BlockingKey._meta.db_table), quote(BlockingKey._meta.get_field("key").column)
    party = quote(BlockingKey._meta.get_field("party").column)
    return " UNION ALL ".join(
        f"SELECT * FROM (SELECT {n} AS branch, {party} FROM {table} WHERE {key} = %s "
        f"LIMIT {int(per_key)}) AS block{n}" for n in range(count))


class Prepared:
    """Candidates' prepared features as columns, for scoring many records against overlapping candidates:
    each candidate is prepared once and each record's comparison arrays are taken by index, not rebuilt."""

    def __init__(self, records_by_id: dict[int, dict[str, Any]]) -> None:
        self.row = {pid: n for n, pid in enumerate(records_by_id)}
        rows = [fields.prepare_one(rec) for rec in records_by_id.values()]
        self.columns = {f: np.array([r[f] for r in rows], dtype=object) for f in fields.FEATURES}

    def take(self, ids: list[int]) -> dict[str, np.ndarray]:
        index = np.fromiter((self.row[i] for i in ids), dtype=np.int64, count=len(ids))
        return {f: column[index] for f, column in self.columns.items()}


def score_against(kind: str, record: dict[str, Any], candidates: dict[int, dict[str, Any]], *,
                  explain_from: float = 0.0, params: Params | None = None,
                  prepared: Prepared | None = None) -> list[tuple[int, float, list[str]]]:
    """(party id, probability, reasons) of a record against candidate records, with the model in force.

    Reasons are put in words only for candidates scoring at least ``explain_from``: at entry most candidates
    are strangers sharing a postcode or a surname, and describing each of them costs more than scoring them.
    ``params`` is the model in force and ``prepared`` the candidates already prepared (it must hold every
    candidate), for callers scoring many records in a row: in an import chunk the same candidates come up
    for hundreds of records, and preparing them per record was most of the chunk's time.
    """
    if not candidates:
        return []
    params = params or store.current_params(kind)
    comps = [c for c in comparisons.REGISTRY[kind] if c.name in params.comparisons]
    ids = list(candidates)
    right = (prepared or Prepared(candidates)).take(ids)
    mine = fields.prepare_one(record)  # the new record is prepared once, then stands beside every candidate
    left = {f: np.full(len(ids), value, dtype=object) for f, value in mine.items()}
    levels = comparisons.compare(kind, comps, left, right)
    tf = params.term_frequencies(left)
    weights = params.field_weights(levels, tf)
    probability = params.probability(levels, tf)
    if kind == "company":
        for n in range(len(ids)):
            other = {"org_number": right["org_number"][n], "group": right["group"][n]}
            if _siblings(mine, other):
                probability[n] = 0.0
    return [(pid, float(probability[n]),
             reasons_for(comps, levels[n], weights[n]) if probability[n] >= explain_from else [])
            for n, pid in enumerate(ids)]


def _siblings(fa: dict[str, str], fb: dict[str, str]) -> bool:
    """Two companies of one corporate group with different organisation numbers: never duplicates."""
    from kundebase.matching.normalise.companies import distinct_group_members

    return distinct_group_members(fa["org_number"], fb["org_number"], fa["group"] or None, fb["group"] or None)


def _group_of(fields_in: dict[str, Any]) -> str:
    parent = fields_in.get("parent_id") or fields_in.get("parent")
    parent_id = getattr(parent, "pk", parent)
    if not parent_id:
        return ""
    from kundebase.matching.normalise.companies import group_root
    from kundebase.parties.models import Company

    return str(group_root(int(parent_id), dict(Company.objects.values_list("pk", "parent_id"))))


def likely_duplicates(*, kind: str, fields: dict[str, Any], contact_points: list[dict[str, Any]],
                      addresses: list[dict[str, Any]], exclude_id: int | None = None,
                      threshold: float = THRESHOLD) -> list[Candidate]:
    """Existing customers this record probably is, most likely first (at least ``threshold``)."""
    return likely_duplicates_many(kind=kind, items=[(fields, contact_points, addresses)], exclude_id=exclude_id,
                                  threshold=threshold)[0]


def likely_duplicates_many(*, kind: str, items: list[tuple[dict[str, Any], list[dict[str, Any]],
                                                           list[dict[str, Any]]]],
                           exclude_id: int | None = None, threshold: float = THRESHOLD) -> list[list[Candidate]]:
    """:func:`likely_duplicates` for many records at once ``(fields, contact points, addresses)``, as an import
    checks a chunk: candidates are still found per record, but their records are loaded together, once."""
    from kundebase.parties.models import Party

    wanted: list[tuple[dict[str, Any], list[int]]] = []
    for values, contact_points, addresses in items:
        record = records.from_input(kind, values, contact_points, addresses)
        if kind == "company":
            record["group"] = _group_of(values)
        wanted.append((record, candidate_ids(kind, store.record_keys(kind, record), exclude_id)))
    every = sorted({pid for _record, ids in wanted for pid in ids})
    if not every:
        return [[] for _ in items]
    loaded = records.load(kind, every)
    prepared = Prepared(loaded)
    params = store.current_params(kind)
    kept: list[list[tuple[int, float, list[str]]]] = []
    for record, ids in wanted:
        candidates = {pid: loaded[pid] for pid in ids if pid in loaded}
        scored = score_against(kind, record, candidates, explain_from=threshold, params=params, prepared=prepared)
        kept.append([(pid, p, why) for pid, p, why in scored if p >= threshold])
    parties = Party.objects.filter(pk__in={pid for keep in kept for pid, _p, _w in keep}).in_bulk()
    return [sorted((Candidate(pid, parties[pid].display_name, parties[pid].customer_number, p, why)
                    for pid, p, why in keep if pid in parties), key=lambda c: -c.score) for keep in kept]
