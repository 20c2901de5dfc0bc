"""Appending to and verifying the hash-chained audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kundebase.core.bulk import insert_rows
from kundebase.core.models import AuditEntry, AuditRecord, Sequence

GENESIS = "0" * 64
_CHAIN_LOCK = "audit_chain"


def _clean(text: object, limit: int) -> str:
    """Control characters (newlines included) are escaped, so no one can forge a line in a log reader."""
    value = "" if text is None else str(text)
    if not value.isprintable():  # the common case, a plain name, is checked in one call
        value = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in value)
    return value[:limit]


Named = tuple[str, int, int | None]
"""A record an entry names: ``(entity, record id, party id)``."""


def _digest(entry: AuditEntry, named: Iterable[Named] = ()) -> str:
    items: list[object] = [
            entry.previous_hash,
            entry.occurred_at.isoformat(),
            entry.actor,
            entry.action,
            entry.entity,
            entry.record_id,
            entry.party_id,
            entry.channel,
            list(entry.fields),
            entry.note,
        ]
    records = sorted(named, key=lambda r: (r[0], r[1], r[2] or 0))
    if records:  # an entry naming many records; entries without any hash exactly as before
        items.append([list(r) for r in records])
    payload = json.dumps(items, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _claim(count: int) -> str:
    """Take the chain's lock for ``count`` new entries and return the hash they follow.

    Writers are serialised on a row lock so two entries never claim the same predecessor: the UPDATE takes
    the lock (held to the end of the transaction) and counts the entries, so a deleted tail is detected too.
    Only the very first entry finds no lock row and creates it.  Call inside a transaction.
    """
    counter = Sequence.objects.filter(name=_CHAIN_LOCK)
    if counter.update(next_value=F("next_value") + count) == 0:
        Sequence.objects.select_for_update().get_or_create(name=_CHAIN_LOCK, defaults={"next_value": 0})
        counter.update(next_value=F("next_value") + count)
    return AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first() or GENESIS


def _entry(*, action: str, actor: object = None, entity: str = "", record_id: int | None = None,
           party_id: int | None = None, channel: str = "", fields: Iterable[str] = (), note: str = "",
           occurred_at: dt.datetime, previous_hash: str) -> AuditEntry:
    actor_name = getattr(actor, "username", None) or (str(actor) if actor else "")
    entry = AuditEntry(
        occurred_at=occurred_at,
        actor=_clean(actor_name, 150),
        action=action,
        entity=_clean(entity, 40),
        record_id=record_id,
        party_id=party_id,
        channel=_clean(channel, 20),
        fields=sorted(_clean(f, 80) for f in fields),
        note=_clean(note, 300),
        previous_hash=previous_hash,
    )
    entry.entry_hash = _digest(entry)
    return entry


def record(
    *,
    action: str,
    actor: object = None,
    entity: str = "",
    record_id: int | None = None,
    party_id: int | None = None,
    channel: str = "",
    fields: Iterable[str] = (),
    note: str = "",
) -> AuditEntry:
    """Append one entry.  Call inside the transaction that makes the change, so both land or neither.

    Inside :func:`gathered` the entry is kept and written with the others when the block ends (the entry
    returned then is not saved yet)."""
    pending = _gathering.get()
    if pending is not None:
        item = {"action": action, "actor": actor, "entity": entity, "record_id": record_id, "party_id": party_id,
                "channel": channel, "fields": list(fields), "note": note}
        pending.append(item)
        return AuditEntry(**{k: v for k, v in item.items() if k != "actor"})
    return _append(action=action, actor=actor, entity=entity, record_id=record_id, party_id=party_id,
                   channel=channel, fields=fields, note=note, named=())


def record_batch(
    *,
    action: str,
    records: Iterable[Named],
    actor: object = None,
    entity: str = "",
    channel: str = "",
    fields: Iterable[str] = (),
    note: str = "",
) -> AuditEntry | None:
    """Append one entry for a whole batch of changes, naming every record it touched.

    One entry instead of one per record: each entry takes the chain's lock, so a batch of hundreds of writes
    would otherwise queue on it hundreds of times.  The named records (``(entity, record id, party id)``) are
    stored beside the entry and covered by its hash; a person's access report lists the entry.  Nothing is
    written when ``records`` is empty.
    """
    named = sorted({(_clean(e, 40), int(r), int(p) if p else None) for e, r, p in records},
                   key=lambda n: (n[0], n[1], n[2] or 0))
    if not named:
        return None
    return _append(action=action, actor=actor, entity=entity, record_id=None, party_id=None, channel=channel,
                   fields=fields, note=note, named=named)


def _append(*, action: str, actor: object, entity: str, record_id: int | None, party_id: int | None,
            channel: str, fields: Iterable[str], note: str, named: list[Named] | tuple[()]) -> AuditEntry:
    # a transaction if the caller has none, but no savepoint of its own inside the caller's: should a statement
    # here fail, the caller's change fails with it (two round trips fewer for every audited write)
    with transaction.atomic(savepoint=False):
        entry = _entry(action=action, actor=actor, entity=entity, record_id=record_id, party_id=party_id,
                       channel=channel, fields=fields, note=note, occurred_at=timezone.now(),
                       previous_hash=_claim(1))
        if named:  # ``_entry`` hashed the entry alone; the named records are part of its content
            entry.entry_hash = _digest(entry, named)
        entry.save()
        # one multi-row INSERT (COPY on PostgreSQL) without a model object per row: the chain's lock is held
        insert_rows(AuditRecord, [{"entry_id": entry.pk, "entity": e, "record_id": r, "party_id": p}
                                  for e, r, p in named])
    return entry


_gathering: ContextVar[list[dict[str, Any]] | None] = ContextVar("audit_gathering", default=None)


@contextmanager
def gathered() -> Iterator[None]:
    """Within the block, :func:`record` gathers its entries; they are written in one go at its end.

    For work that stores many records one after another in one transaction (a batch of fetched e-mails): every
    change keeps its own entry, in order, but the chain's lock is taken and the rows inserted once per block
    instead of once per entry.  Use inside the transaction that makes the changes, so that the entries land
    with them or not at all; when the block raises, nothing gathered is written."""
    outer = _gathering.get()
    if outer is not None:  # already gathering: the outer block writes them
        yield
        return
    pending: list[dict[str, Any]] = []
    token = _gathering.set(pending)
    try:
        yield
    finally:
        _gathering.reset(token)
    record_many(pending)


def record_many(entries: list[dict[str, Any]]) -> int:
    """Append one entry per item (the keyword arguments of :func:`record`), chained in order, in one insert.

    For the writes that create thousands of customers at once (imports, the demo load): every customer
    still gets their own entry, so their access report says how they came to be stored, while the chain's
    lock is taken once and the rows go to the database in one statement.  Returns the number written.
    """
    if not entries:
        return 0
    with transaction.atomic(savepoint=False):  # as in ``_append``
        previous = _claim(len(entries))
        now = timezone.now()
        rows = []
        for item in entries:
            entry = _entry(**item, occurred_at=now, previous_hash=previous)
            previous = entry.entry_hash
            rows.append({name: getattr(entry, name) for name in _COLUMNS})
        # Ids grow in the order of the rows (one INSERT or COPY under the chain's lock), as ``verify`` walks them.
        insert_rows(AuditEntry, rows)
    return len(rows)


_COLUMNS = ("occurred_at", "actor", "action", "entity", "record_id", "party_id", "channel", "fields", "note",
            "previous_hash", "entry_hash")


@dataclass
class VerifyResult:
    checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(chunk: int = 5000) -> VerifyResult:
    """Walk the chain; report every entry whose content or link does not match."""
    problems: list[str] = []
    previous = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:chunk])
        if not batch:
            break
        named: dict[int, list[Named]] = {}
        for entry_id, e, r, p in AuditRecord.objects.filter(entry_id__in=[b.id for b in batch]).values_list(
                "entry_id", "entity", "record_id", "party_id"):
            named.setdefault(entry_id, []).append((e, r, p))
        for entry in batch:
            checked += 1
            if entry.previous_hash != previous:
                problems.append(f"entry {entry.id}: link to previous entry broken (an entry was deleted or edited)")
            if _digest(entry, named.get(entry.id, ())) != entry.entry_hash:
                problems.append(f"entry {entry.id}: content does not match its hash (edited)")
            previous = entry.entry_hash
            last_id = entry.id
    expected = Sequence.objects.filter(name=_CHAIN_LOCK).values_list("next_value", flat=True).first() or 0
    if expected != checked:
        problems.append(f"the log holds {checked} entries but {expected} were written (entries were removed)")
    return VerifyResult(checked=checked, problems=problems)
