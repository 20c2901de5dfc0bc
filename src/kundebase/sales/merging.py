"""When two customers are merged, their deals and tasks follow the survivor (``core.hooks.after_merge``)."""

from __future__ import annotations

from kundebase.sales.models import Deal, Task


def move_to_survivor(*, survivor_id: int, merged_id: int, actor: object = None) -> None:
    Deal.objects.filter(party_id=merged_id).update(party_id=survivor_id)
    Deal.objects.filter(contact_person_id=merged_id).update(contact_person_id=survivor_id)
    Task.objects.filter(party_id=merged_id).update(party_id=survivor_id)
