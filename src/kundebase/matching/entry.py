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

from kundebase.core.dialect import Dialect, for_connection
from kundebase.matching import blocking, comparisons, fields, records, store
from kundebase.matching.model import Params

THRESHOLD = 0.9
WARN_THRESHOLD = 0.8
"""Where a person decides (a form, an API client that asked to be warned) a lower bar is right: the
warning costs one click, a missed duplicate costs a merge later.  Automatic paths keep ``THRESHOLD``."""
MAX_REASONS = 5
KEYS_PER_STATEMENT = 200
KEYS_PER_ARRAY = 5000


@dataclass
class Candidate:
    party_id: int | None
    display_name: str
    customer_number: str
    score: float
    reasons: list[str] = field(default_factory=list)
    earlier: int | None = None
    """For a record of the same batch (``likely_duplicates_many(within=True)``): its position there; such a
    record is not stored yet, so it has no ``party_id``."""

    def as_dict(self) -> dict[str, Any]:
        return {"party_id": self.party_id, "display_name": self.display_name,
                "customer_number": self.customer_number, "score": round(self.score, 4), "reasons": self.reasons}


def reasons_for(comps: list[comparisons.Comparison], levels: np.ndarray, weights: np.ndarray,
                limit: int = MAX_REASONS) -> list[str]:
    """The fields that spoke most for the match, in words ("same phone", "similar given name")."""
    ranked = sorted(range(len(comps)), key=lambda j: -weights[j])
    return [str(comps[j].levels[levels[j]]) for j in ranked if weights[j] > 1.0 and levels[j] > 0][:limit]


def candidate_ids(kind: str, keys: list[str], exclude_id: int | None = None) -> list[int]:
    """Parties sharing a blocking key; a key shared by more than ``MAX_BLOCK`` parties is ignored, as in batch."""
    return candidate_ids_many(kind, [keys], exclude_id)[0]


def candidate_ids_many(kind: str, keys_per_record: list[list[str]], exclude_id: int | None = None
                       ) -> list[list[int]]:
    """:func:`candidate_ids` for many records: every distinct key of them all is asked once.

    Keys go to SQLite in statements of ``KEYS_PER_STATEMENT`` (below its limit on the terms of one compound
    SELECT, 500) and to PostgreSQL ``KEYS_PER_ARRAY`` at a time as one array (``Dialect.fetch_per_key``);
    each key reads at most ``MAX_BLOCK + 1`` index entries.  An import chunk shares most of its name and place
    keys, so it asks a few statements instead of one per record.
    """
    from django.db import connection

    dialect = for_connection(connection)
    table, key_column, party = _key_names(dialect)
    distinct = sorted({key for keys in keys_per_record for key in keys})
    blocks: dict[str, list[int]] = {}
    per_statement = KEYS_PER_ARRAY if dialect.has_arrays else KEYS_PER_STATEMENT
    with connection.cursor() as cursor:
        for start in range(0, len(distinct), per_statement):
            part = distinct[start:start + per_statement]
            for key, party_id in dialect.fetch_per_key(cursor, table, key_column, party, part, blocking.MAX_BLOCK + 1):
                blocks.setdefault(key, []).append(party_id)
    usable = {key: ids for key, ids in blocks.items() if len(ids) <= blocking.MAX_BLOCK}
    out = []
    for keys in keys_per_record:
        found = {pid for key in keys for pid in usable.get(key, ())}
        found.discard(exclude_id)
        out.append(sorted(found))
    return out


@lru_cache(maxsize=4)
def _key_names(dialect: Dialect) -> tuple[str, str, str]:
    """The blocking-key table and its key and party columns, quoted for the dialect's engine."""
    from django.db import connection

    from kundebase.core.bulk import column_field
    from kundebase.matching.models import BlockingKey

    quote = connection.ops.quote_name
    return (quote(BlockingKey._meta.db_table), quote(column_field(BlockingKey, "key")[1]),
            quote(column_field(BlockingKey, "party")[1]))


class Prepared:
    """Records' prepared features as columns, for scoring many records against overlapping candidates:
    each candidate is prepared once and each record's comparison arrays are taken by index, not rebuilt."""

    def __init__(self, records_by_id: dict[int, dict[str, Any]]) -> None:
        self.row = {pid: n for n, pid in enumerate(records_by_id)}
        self.columns = fields.prepare(list(records_by_id.values())) if records_by_id else {
            f: np.empty(0, dtype=object) for f in fields.FEATURES}

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
    candidate).
    """
    if not candidates:
        return []
    return score_many(kind, fields.prepare([record]), [list(candidates)], prepared or Prepared(candidates),
                      explain_from=explain_from, params=params)[0]


def score_many(kind: str, mine: dict[str, np.ndarray], candidates: list[list[int]], prepared: Prepared, *,
               explain_from: float = 0.0, params: Params | None = None) -> list[list[tuple[int, float, list[str]]]]:
    """:func:`score_against` for many records, given by their prepared features ``mine``
    (``fields.prepare``), each against its own candidates (ids held by ``prepared``).

    Every pair of the lot is compared in one pass over column arrays: an import chunk scores a thousand
    records against a few hundred candidates each, and a pass per record cost more in array set-up than
    in comparing.  The caller prepares the records once, for their keys and every scoring of them.
    """
    params = params or store.current_params(kind)
    comps = [c for c in comparisons.REGISTRY[kind] if c.name in params.comparisons]
    counts = np.fromiter((len(ids) for ids in candidates), dtype=np.int64, count=len(candidates))
    if not counts.sum():
        return [[] for _ in candidates]
    ids = [pid for group in candidates for pid in group]
    right = prepared.take(ids)
    left = {f: np.repeat(column, counts) for f, column in mine.items()}  # each record beside each candidate
    levels = comparisons.compare(kind, comps, left, right)
    tf = params.term_frequencies(left)
    weights = params.field_weights(levels, tf)
    probability = params.probability(levels, tf)
    if kind == "company":
        for n in range(len(ids)):
            if _siblings({"org_number": left["org_number"][n], "group": left["group"][n]},
                         {"org_number": right["org_number"][n], "group": right["group"][n]}):
                probability[n] = 0.0
    out: list[list[tuple[int, float, list[str]]]] = []
    first = 0
    for count in counts.tolist():
        out.append([(ids[n], float(probability[n]),
                     reasons_for(comps, levels[n], weights[n]) if probability[n] >= explain_from else [])
                    for n in range(first, first + count)])
        first += count
    return out


def _siblings(fa: dict[str, str], fb: dict[str, str]) -> bool:
    """Two companies of one corporate group with different organisation numbers: never duplicates."""
    from kundebase.matching.normalise.companies import distinct_group_members

    return distinct_group_members(fa["org_number"], fb["org_number"], _root(fa["group"]), _root(fb["group"]))


def _root(group: str) -> int | None:
    """A record's corporate group is the id of its root company as text, empty outside a group."""
    return int(group) if group else None


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
                           exclude_id: int | None = None, threshold: float = THRESHOLD,
                           within: bool = False) -> list[list[Candidate]]:
    """:func:`likely_duplicates` for many records at once ``(fields, contact points, addresses)``, as an import
    checks a chunk: their keys are prepared together, each distinct key is asked once, the candidates' records
    are loaded once and every pair is scored in one pass.

    With ``within`` each record is also scored against the records before it in ``items`` that share a
    blocking key (an import chunk's earlier rows, not stored yet): those come last, with ``earlier`` set to
    their position and no ``party_id``.  Without it two rows of one chunk that are one person would both be
    created, each unseen by the other's check.
    """
    from kundebase.parties.models import Party

    recs = []
    for values, contact_points, addresses in items:
        record = records.from_input(kind, values, contact_points, addresses)
        if kind == "company":
            record["group"] = _group_of(values)
        recs.append(record)
    own = Prepared(dict(enumerate(recs)))  # prepared once: for the keys and every scoring below
    keys = store.records_keys(kind, recs, own.columns)
    wanted = candidate_ids_many(kind, keys, exclude_id)
    out: list[list[Candidate]] = [[] for _ in items]
    every = sorted({pid for ids in wanted for pid in ids})
    if every:
        loaded = records.load(kind, every)
        scored = score_many(kind, own.columns, [[pid for pid in ids if pid in loaded] for ids in wanted],
                            Prepared(loaded), explain_from=threshold)
        kept = [[(pid, p, why) for pid, p, why in found if p >= threshold] for found in scored]
        parties = Party.objects.filter(pk__in={pid for keep in kept for pid, _p, _w in keep}).in_bulk()
        out = [sorted((Candidate(pid, parties[pid].display_name, parties[pid].customer_number, p, why)
                       for pid, p, why in keep if pid in parties), key=lambda c: -c.score) for keep in kept]
    if within:
        for n, found in enumerate(_within(kind, own, keys, threshold)):
            out[n] += [Candidate(None, "", "", p, why, earlier=m)
                       for m, p, why in sorted(found, key=lambda f: -f[1])]
    return out


def _within(kind: str, own: Prepared, keys: list[list[str]], threshold: float
            ) -> list[list[tuple[int, float, list[str]]]]:
    """Per record, the earlier records of the same batch it probably is: ``(position, probability, reasons)``.
    They are found as stored ones are, through shared blocking keys, a key shared by more than ``MAX_BLOCK``
    records of the batch being ignored."""
    by_key: dict[str, list[int]] = {}
    for n, its in enumerate(keys):
        for key in its:
            by_key.setdefault(key, []).append(n)
    earlier = [sorted({m for key in its if len(by_key[key]) <= blocking.MAX_BLOCK for m in by_key[key] if m < n})
               for n, its in enumerate(keys)]
    if not any(earlier):
        return [[] for _ in keys]
    scored = score_many(kind, own.columns, earlier, own, explain_from=threshold)
    return [[(m, p, why) for m, p, why in found if p >= threshold] for found in scored]
