"""Creating the persons an event batch found new: the batch's one door to the customer write path."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import connection

from kundebase.core.provenance import SourceRef
from kundebase.ingest import events


def create_persons(people: list[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], SourceRef]]
                   ) -> list[int]:
    """Write new persons ``(fields, contact points, addresses, source)``, all validated; their ids, in order.

    The one place the event batch creates persons: today through the import's bulk writer, which writes one
    INSERT per table for all of them, their provenance, an audit entry and the ``party_saved`` hooks.
    """
    from kundebase.ingest import writer
    from kundebase.ingest.records import Record

    ids: list[int] = [0] * len(people)
    groups: dict[tuple[str, bool], list[int]] = defaultdict(list)
    for n, (_data, _cps, _addresses, source) in enumerate(people):
        groups[(source.name, source.verified)].append(n)
    for (name, verified), positions in groups.items():
        recs = [Record(line=n, raw={}, entity="persons", data=people[n][0], contact_points=people[n][1],
                       addresses=people[n][2]) for n in positions]
        created = writer.create_persons(recs, SourceRef(name=name, record_id="", verified=verified), None,
                                        events.CHANNEL)
        for n, pk in zip(positions, created, strict=True):
            ids[n] = pk
    # The writer names a file's line as where a value came from; an event's is its messageId.
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE core_observation SET source_record_id = %s WHERE entity = 'person' AND record_id = %s "
            "AND source_record_id = %s",
            [(people[n][3].record_id[:200], ids[n], f"line {n}") for n in range(len(people))])
    return ids
