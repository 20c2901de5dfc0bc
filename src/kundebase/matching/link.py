"""The duplicate check of a whole file at once: link its records to the store and to each other, set-based.

The per-row entry check (:func:`kundebase.matching.entry.likely_duplicates_many`) asks, chunk after chunk,
for the stored customers sharing a blocking key with each record, loads and prepares them, and scores them.
Over a large file the same keys are asked and the same customers loaded again in every chunk, and each row
the file created earlier is read back from the database to be compared with the rows after it.  Here the
file is checked in one pass: every record is prepared once, every distinct key is asked of the
``BlockingKey`` index once, every candidate customer is loaded and prepared once, and the pairs within the
file are found by one DuckDB join over the file's own keys — so a row created from the file is compared as
the row it is, never read back.

Normalisation, blocking keys, the model and its scores are the entry check's own (``store.records_keys``,
``entry.score_many``), so a pair scores the same here as there.  The one difference is unavoidable: the
per-row check ignores a key once more than ``MAX_BLOCK`` customers share it *in the store at that moment*;
here a key serves a record while the stored customers sharing it and the file's earlier records with it
together stay within that cap, which is the same count the per-row check would see had every earlier
record been created.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np

from kundebase.matching import blocking, entry, records, store

SCORE_SLICE = 2000
"""Records scored in one pass: bounds the arrays of their pairs (a record has tens to hundreds of candidates)."""
LOAD_SLICE = 5000
"""Candidates read from the database in one statement."""
LOAD_RECORDS = 10_000
"""Records whose candidates are loaded and prepared together: a candidate shared by records of two blocks is
loaded twice, the price of holding one block's candidates instead of the whole window's."""


@dataclass
class Hit:
    """A likely duplicate of a file record: a stored customer (``party_id``) or an earlier record of the
    file (``earlier``, its position in the records linked)."""

    score: float
    reasons: list[str] = field(default_factory=list)
    party_id: int | None = None
    earlier: int | None = None


def link(kind: str, recs: list[dict[str, Any]], *, threshold: float = entry.THRESHOLD
         ) -> tuple[list[list[Hit]], list[list[str]], Mapping[str, Sequence[int]]]:
    """Per record (matching records, ``records.from_input``), the stored customers and the earlier records
    of ``recs`` it probably is (at least ``threshold``): stored ones first, each group most likely first; and
    each record's blocking keys (``store.records_keys``), which are the keys of the customer it becomes; and the
    stored customers found per key."""
    if not recs:
        return [], [], {}
    own = entry.Prepared(dict(enumerate(recs)))
    keys = store.records_keys(kind, recs, own.columns)
    stored = _stored_blocks(kind, keys)
    flat = [key for its in keys for key in its]
    con = duckdb.connect(config={"preserve_insertion_order": False})
    try:
        serving, at = _positions(con, keys, flat, stored)
        within = _within_pairs(con)
    finally:
        con.close()
    out: list[list[Hit]] = [[] for _ in recs]
    for block in range(0, len(recs), LOAD_RECORDS):
        # the candidates of one block of records at a time: what is held grows with the block, not with the
        # window times the store (a window of 100,000 rows against a million customers held most of them, and
        # each record's set of candidate ids, made for the whole window at once, grew with the store as well)
        end = min(len(recs), block + LOAD_RECORDS)
        wanted: list[set[int]] = [set() for _ in range(block, end)]
        low, high = np.searchsorted(serving, [block, end])
        for n, position in zip(serving[low:high].tolist(), at[low:high].tolist(), strict=True):
            wanted[n - block].update(stored.get(flat[position], ()))
        every = sorted({pid for ids in wanted for pid in ids})
        if not every:
            continue
        loaded: dict[int, dict[str, Any]] = {}
        for start in range(0, len(every), LOAD_SLICE):
            loaded.update(records.load(kind, every[start:start + LOAD_SLICE]))
        theirs = entry.Prepared(loaded)
        for start in range(block, end, SCORE_SLICE):
            part = [sorted(pid for pid in ids if pid in loaded)
                    for ids in wanted[start - block:min(end, start + SCORE_SLICE) - block]]
            mine = {f: column[start:start + len(part)] for f, column in own.columns.items()}
            for n, found in enumerate(entry.score_many(kind, mine, part, theirs, explain_from=threshold),
                                      start=start):
                out[n] = [Hit(p, why, party_id=pid) for pid, p, why in
                          sorted(found, key=lambda f: -f[1]) if p >= threshold]
        del loaded, theirs, wanted
    earlier: list[list[int]] = [[] for _ in recs]
    for left, right in zip(within[0].tolist(), within[1].tolist(), strict=True):
        earlier[right].append(left)
    for start in range(0, len(recs), SCORE_SLICE):
        part = earlier[start:start + SCORE_SLICE]
        if not any(part):
            continue
        mine = {f: column[start:start + len(part)] for f, column in own.columns.items()}
        for n, found in enumerate(entry.score_many(kind, mine, part, own, explain_from=threshold), start=start):
            out[n] += [Hit(p, why, earlier=m) for m, p, why in sorted(found, key=lambda f: -f[1]) if p >= threshold]
    return out, keys, stored


def _stored_blocks(kind: str, keys: list[list[str]]) -> Mapping[str, Sequence[int]]:
    """Stored customers per distinct key of the file, each key asked once (at most ``MAX_BLOCK + 1`` read).

    Each key's customers are kept as an ``array`` of machine integers: the blocks are held until the window is
    written, and a list holds each id as an object of its own (four times the memory)."""
    from django.db import connection

    from kundebase.core.dialect import for_connection

    dialect = for_connection(connection)
    table, key_column, party = entry._key_names(dialect)
    distinct = sorted({key for its in keys for key in its})
    per_statement = entry.KEYS_PER_ARRAY if dialect.has_arrays else entry.KEYS_PER_STATEMENT
    blocks: dict[str, array[int]] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(distinct), per_statement):
            part = distinct[start:start + per_statement]
            for key, party_id in dialect.fetch_per_key(cursor, table, key_column, party, part,
                                                       blocking.MAX_BLOCK + 1):
                found = blocks.get(key)
                if found is None:
                    blocks[key] = found = array("q")
                found.append(party_id)
    return blocks


def _positions(con: duckdb.DuckDBPyConnection, keys: list[list[str]], flat: list[str],
               stored: Mapping[str, Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Fill DuckDB's ``fk`` with each record's keys that may serve it, and return those shared with stored
    customers: the records (ascending) and, for each, the key's position in ``flat`` (the records' keys in
    order) — two arrays of integers, not a tuple and a copied string per key.

    A key serves a record while the stored customers and the file's earlier records sharing it stay within
    ``MAX_BLOCK``; the rest are left out, as the per-row check leaves out a key grown too common."""
    rid = np.fromiter((n for n, its in enumerate(keys) for _k in its), dtype=np.int32, count=len(flat))
    counts = np.fromiter((len(stored.get(k, ())) for k in flat), dtype=np.int32, count=len(flat))
    con.register("raw_keys", {"rid": rid, "key": np.array(flat, dtype=object), "stored": counts,
                              "pos": np.arange(len(flat), dtype=np.int64)})
    con.execute(f"""
        CREATE TABLE fk AS SELECT rid, key, stored, pos FROM (
            SELECT rid, key, stored, pos, stored + row_number() OVER (PARTITION BY key ORDER BY rid) - 1 AS before
            FROM raw_keys) WHERE before <= {blocking.MAX_BLOCK}""")
    con.unregister("raw_keys")
    found = con.execute("SELECT rid, pos FROM fk WHERE stored > 0 ORDER BY rid, pos").fetchnumpy()
    return np.asarray(found["rid"], dtype=np.int64), np.asarray(found["pos"], dtype=np.int64)


def _within_pairs(con: duckdb.DuckDBPyConnection) -> tuple[np.ndarray, np.ndarray]:
    """(earlier, later) positions of the file's records sharing a key that serves the later one."""
    result = con.execute("""
        SELECT DISTINCT x.rid AS l, y.rid AS r FROM fk x JOIN fk y ON x.key = y.key AND x.rid < y.rid
        ORDER BY r, l""").fetchnumpy()
    return np.asarray(result["l"], dtype=np.int64), np.asarray(result["r"], dtype=np.int64)
