"""Appending to and verifying the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kundebase.core.models import AuditEntry, AuditRecord, Sequence

GENESIS = "0" * 64
_CHAIN_LOCK = "audit_chain"


def _clean(text: object, limit: int) -> str:
    """Control characters (newlines included) are escaped, so no one can forge a line in a log reader."""
    value = "" if text is None else str(text)
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
    """Append one entry.  Call inside the transaction that makes the change, so both land or neither."""
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
    actor_name = getattr(actor, "username", None) or (str(actor) if actor else "")
    with transaction.atomic():
        # Serialise writers on a row lock so two entries never claim the same predecessor: the UPDATE takes
        # the lock (held to the end of the transaction) and counts the entry, so a deleted tail is detected too.
        # Only the very first entry finds no lock row and creates it.
        counter = Sequence.objects.filter(name=_CHAIN_LOCK)
        if counter.update(next_value=F("next_value") + 1) == 0:
            Sequence.objects.select_for_update().get_or_create(name=_CHAIN_LOCK, defaults={"next_value": 0})
            counter.update(next_value=F("next_value") + 1)
        last = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
        entry = AuditEntry(
            occurred_at=timezone.now(),
            actor=_clean(actor_name, 150),
            action=action,
            entity=_clean(entity, 40),
            record_id=record_id,
            party_id=party_id,
            channel=_clean(channel, 20),
            fields=sorted(_clean(f, 80) for f in fields),
            note=_clean(note, 300),
            previous_hash=last or GENESIS,
        )
        entry.entry_hash = _digest(entry, named)
        entry.save()
        AuditRecord.objects.bulk_create(AuditRecord(entry=entry, entity=e, record_id=r, party_id=p)
                                        for e, r, p in named)
    return entry


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
