"""Appending to and verifying the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kundebase.core.models import AuditEntry, Sequence

GENESIS = "0" * 64
_CHAIN_LOCK = "audit_chain"


def _clean(text: object, limit: int) -> str:
    """Control characters (newlines included) are escaped, so no one can forge a line in a log reader."""
    value = "" if text is None else str(text)
    value = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in value)
    return value[:limit]


def _digest(entry: AuditEntry) -> str:
    payload = json.dumps(
        [
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
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )
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
        entry.entry_hash = _digest(entry)
        entry.save()
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
        for entry in batch:
            checked += 1
            if entry.previous_hash != previous:
                problems.append(f"entry {entry.id}: link to previous entry broken (an entry was deleted or edited)")
            if _digest(entry) != entry.entry_hash:
                problems.append(f"entry {entry.id}: content does not match its hash (edited)")
            previous = entry.entry_hash
            last_id = entry.id
    expected = Sequence.objects.filter(name=_CHAIN_LOCK).values_list("next_value", flat=True).first() or 0
    if expected != checked:
        problems.append(f"the log holds {checked} entries but {expected} were written (entries were removed)")
    return VerifyResult(checked=checked, problems=problems)
