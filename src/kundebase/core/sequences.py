"""Gap-tolerant counters shared by every backend (SQLite has no sequences of its own)."""

from __future__ import annotations

from django.db import transaction

from kundebase.core.models import Sequence

STARTS = {"customer_number": 10001, "order_number": 100001}


def allocate(name: str, count: int = 1) -> int:
    """Reserve ``count`` consecutive values and return the first; safe under concurrent writers."""
    with transaction.atomic():
        seq, _ = Sequence.objects.select_for_update().get_or_create(
            name=name, defaults={"next_value": STARTS.get(name, 1)}
        )
        first = seq.next_value
        Sequence.objects.filter(name=name).update(next_value=first + count)
    return first


def bump_past(name: str, value: int) -> None:
    """Make sure the next allocation is above ``value`` (after imports that bring their own numbers)."""
    with transaction.atomic():
        seq, _ = Sequence.objects.select_for_update().get_or_create(
            name=name, defaults={"next_value": STARTS.get(name, 1)}
        )
        if seq.next_value <= value:
            Sequence.objects.filter(name=name).update(next_value=value + 1)
