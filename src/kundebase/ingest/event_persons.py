"""Creating the persons an event batch found new: the batch's one door to the customer write path."""

from __future__ import annotations

from typing import Any

from kundebase.core.provenance import SourceRef
from kundebase.ingest import events


def create_persons(people: list[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], SourceRef]]
                   ) -> list[int]:
    """Write new persons ``(fields, contact points, addresses, source)``, all validated; their ids, in order.

    Through the parties' bulk service, as every channel: one statement per table for all of them, and per
    person their provenance (the event's messageId as the source record) and audit entry."""
    from kundebase.parties import services

    if not people:
        return []
    return services.create_persons(
        [services.NewCustomer(data, cps, addresses, source=source, validated=True)
         for data, cps, addresses, source in people],
        actor=None, channel=events.CHANNEL)
