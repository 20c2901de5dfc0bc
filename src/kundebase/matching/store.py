"""The model in force, its blocking keys in the database, and the queue of changed customers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.utils import timezone

from kundebase.core.bulk import insert_rows
from kundebase.matching import blocking, comparisons, fields
from kundebase.matching.model import Params

_CACHE: dict[str, tuple[float, int | None, Params]] = {}


IDENTIFIERS = frozenset({"phone", "email", "national_id", "org_number", "website"})


def default_params(kind: str) -> Params:
    """Cautious hand-set parameters used until the first run has trained a model on the customer's data."""
    comps = comparisons.REGISTRY[kind]
    m, u = [], []
    for c in comps:
        size = len(c.levels)
        m_rest = 0.15 / (size - 1)
        m.append([m_rest] * (size - 1) + [0.85])
        top = 0.0002 if c.name in IDENTIFIERS else 0.002  # two strangers rarely share a phone or e-mail
        u_rest = [0.028 / max(1, size - 2)] * (size - 2)
        row = [1.0 - 0.028 - top, *u_rest, top]
        u.append([x / sum(row) for x in row])
    return Params(kind, [c.name for c in comps], m, u, prior=1e-4, info={"default": True})


def current_params(kind: str) -> Params:
    """The newest trained model of a kind.  One indexed query for its id on every call (so every worker
    sees a new model at once); the JSON is parsed only when the id changed."""
    from kundebase.matching.models import MatchModel

    row_id = (MatchModel.objects.filter(kind=kind).order_by("-trained_at", "-id")
              .values_list("id", flat=True).first())
    cached = _CACHE.get(kind)
    if cached and cached[1] == row_id:
        return cached[2]
    if row_id is None:
        params = default_params(kind)
    else:
        params = Params.from_json(MatchModel.objects.values_list("params", flat=True).get(pk=row_id))
    _CACHE[kind] = (time.monotonic(), row_id, params)
    return params


def save_params(params: Params) -> int:
    from kundebase.matching.models import MatchModel

    row = MatchModel.objects.create(kind=params.kind, params=params.as_json(),
                                    records=int(params.info.get("records", 0)))
    _CACHE.pop(params.kind, None)
    return row.pk


def record_keys(kind: str, record: dict[str, Any]) -> list[str]:
    """Blocking keys of one record, including every phone and e-mail it has (not just the primary ones)."""
    return records_keys(kind, [record])[0]


def records_keys(kind: str, recs: list[dict[str, Any]], features: dict[str, Any] | None = None) -> list[list[str]]:
    """:func:`record_keys` of many records: their features are prepared together, once per distinct value
    (an import chunk shares its names and places; preparing record by record was most of a chunk's time).
    ``features`` are the records' prepared features when the caller has them already."""
    if not recs:
        return []
    out = [set(keys) for keys in blocking.keys(kind, features if features is not None else fields.prepare(recs))]
    rules = blocking.RULES[kind]
    for role, extra in (("phone", "extra_phones"), ("email", "extra_emails")):
        if (role,) not in rules:
            continue
        number = rules.index((role,))
        owners = [(n, value, rec.get("country", "")) for n, rec in enumerate(recs) for value in rec.get(extra) or []]
        if not owners:
            continue
        prepared = fields.prepare([{role: value, "country": country} for _n, value, country in owners])[role]
        for (n, _value, _country), key in zip(owners, prepared, strict=True):
            if key:
                out[n].add(f"{number}:{key}")
    return [sorted(k[:255] for k in keys) for keys in out]


@transaction.atomic
def refresh_keys(kind: str, party_ids: list[int]) -> int:
    """Rewrite the blocking keys of these customers (merged or erased ones lose theirs)."""
    from kundebase.matching import records
    from kundebase.matching.models import BlockingKey

    BlockingKey.objects.filter(party_id__in=party_ids).delete()
    recs = records.load(kind, party_ids)
    return insert_rows(BlockingKey, [{"party_id": pid, "key": k} for pid, keys in
                                     zip(recs, records_keys(kind, list(recs.values())), strict=True) for k in keys])


_GIVEN_LATER: ContextVar[set[int] | None] = ContextVar("keys_given_later", default=None)


@contextmanager
def keys_given_later() -> Iterator[set[int]]:
    """Inside, customers *created* get no blocking keys from the hook: their ids are collected in the set
    yielded, and the caller, which has computed their keys already (the whole-file import check), writes
    them with :func:`write_keys` — instead of loading each new customer back and preparing it again."""
    given: set[int] = set()
    token = _GIVEN_LATER.set(given)
    try:
        yield given
    finally:
        _GIVEN_LATER.reset(token)


def write_keys(kind: str, keys: dict[int, list[str]], given: set[int]) -> int:
    """Write the keys of the customers created under :func:`keys_given_later` (``keys``: party id → its
    keys as :func:`records_keys` gives them); one of them without keys here has them computed from the store."""
    from kundebase.matching.models import BlockingKey

    count = insert_rows(BlockingKey, [{"party_id": pid, "key": k} for pid, its in keys.items() if pid in given
                                      for k in its])
    rest = sorted(given - keys.keys())
    given.clear()
    return count + (refresh_keys(kind, rest) if rest else 0)


def on_parties_saved(*, party_ids: list[int], created: bool) -> None:
    """``hooks.party_saved``: keep the parties' blocking keys current and queue them for the incremental run."""
    from kundebase.matching.models import PendingParty
    from kundebase.parties.models import Party

    by_kind: dict[str, list[int]] = {}
    for pid, kind in Party.objects.filter(pk__in=party_ids).values_list("pk", "kind"):
        by_kind.setdefault(kind, []).append(pid)
    given = _GIVEN_LATER.get()
    for kind, ids in by_kind.items():
        if given is not None and created:
            given.update(ids)
            continue
        if given is not None:  # changed after being created here: its keys are computed now, not given
            given.difference_update(ids)
        refresh_keys(kind, ids)
    queued = [pid for ids in by_kind.values() for pid in ids]
    now = timezone.now()
    insert_rows(PendingParty, [{"party_id": pid, "queued_at": now} for pid in queued], ignore_conflicts=True)
