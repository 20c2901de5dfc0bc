"""Writing what a batch of events collected (:class:`~kundebase.ingest.event_batch.Batch`): a bulk statement
per table, the events' outcomes in one statement, one audit entry naming every record, and the profiles marked
with what changed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from kundebase.core import dialect
from kundebase.ingest import events
from kundebase.ingest.event_batch import as_id
from kundebase.ingest.models import Event, Identity

if TYPE_CHECKING:
    from kundebase.ingest.event_batch import Batch


def record_outcomes(results: dict[int, tuple[int | None, str]], now: Any) -> None:
    """Mark the batch's events processed, each with its customer and error (``{event id: (party id, error)}``),
    and release their claims, in one statement.

    On PostgreSQL the per-event values go as three arrays and the rest as constants: the statement stays the
    same size for any batch (a ``VALUES`` list of 500 rows × 6 columns is 3,000 parameters to render and parse).
    """
    from kundebase.core.bulk import update_rows

    if not results:
        return
    if not dialect.for_connection(connection).has_arrays:
        update_rows(Event, [{"id": pk, "processed_at": now, "party_id": party, "error": error, "claimed_by": "",
                             "claimed_at": None} for pk, (party, error) in results.items()])
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ingest_event SET processed_at = %s, party_id = v.party_id, error = v.error, claimed_by = '', "
            "claimed_at = NULL FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) AS v(id, party_id, error) "
            "WHERE ingest_event.id = v.id",
            [now, list(results), [p for p, _e in results.values()], [e for _p, e in results.values()]])


def write(batch: Batch) -> None:
    """Everything ``batch`` collected, a bulk statement per table, and one audit entry naming it all."""
    from kundebase.analytics import rfm_lookup
    from kundebase.core import audit, sequences
    from kundebase.core.bulk import insert_returning, insert_rows
    from kundebase.core.models import Observation
    from kundebase.interactions.models import Interaction
    from kundebase.offers import freshness
    from kundebase.orders.models import Order, OrderLine
    from kundebase.parties.services import lifecycle

    batch.write_persons()
    now = timezone.now()
    new_identities, moved = [], []
    for key, party in batch.identities.items():
        if key not in batch.stored:
            new_identities.append({"source_id": key[0], "kind": key[1], "value": key[2],
                                   "party_id": as_id(party), "created_at": now})
        elif as_id(party) != batch.stored[key]:
            moved.append((as_id(party), *key))
    insert_rows(Identity, new_identities, ignore_conflicts=True)
    insert_rows(Observation, batch.observations)
    if moved:
        with connection.cursor() as cursor:
            cursor.executemany("UPDATE ingest_identity SET party_id = %s WHERE source_id = %s AND kind = %s "
                               "AND value = %s", moved)
    named: list[tuple[str, int, int | None]] = []
    fields: set[str] = set()
    orders = [order for _e, _p, order, _l in batch.orders]
    missing = [o for o in orders if not o.order_number]
    first = sequences.allocate("order_number", len(missing)) if missing else 0
    for n, order in enumerate(missing):
        order.order_number = str(first + n)
    for _event, party, order, _lines in batch.orders:
        order.party_id = as_id(party)
    Order.objects.bulk_create(orders)
    OrderLine.objects.bulk_create(OrderLine(order=order, **line) for _e, _p, order, lines in batch.orders
                                  for line in lines)
    buyers = {o.party_id for o in orders}
    if buyers:
        lifecycle.activate_many(buyers)
        rfm_lookup.forget()  # bulk inserts fire no signal: RFM boundaries held by this process may move
    named += [("order", o.pk, o.party_id) for o in orders]
    interactions = []
    for _event, party, values, used in batch.interactions:
        values["party_id"] = as_id(party)
        interactions.append(values)
        fields.update(used)
    ids = insert_returning(Interaction, interactions)
    named += [("interaction", pk, values["party_id"]) for pk, values in zip(ids, interactions, strict=True)]
    named += [("person", p.pk, p.pk) for p, *_rest in batch.new_persons if p.pk]
    record_outcomes({pk: (as_id(party), error) for pk, (party, error) in batch.results.items()}, now)
    with connection.cursor() as cursor:
        if batch.joined_stored:
            cursor.executemany("UPDATE ingest_event SET party_id = %s WHERE id = %s",
                               [(as_id(p), pk) for pk, p in batch.joined_stored.items()])
    sources = sorted({e.source.name for e in batch.batch})
    audit.record_batch(action="create", records=named, entity="event_batch", channel=events.CHANNEL,
                       fields=fields, note=f"{len(batch.batch)} events from {', '.join(sources)}: "
                                           f"{len(orders)} orders, {len(interactions)} timeline entries, "
                                           f"{sum(1 for p in batch.new_persons if p[0].pk)} persons")
    # each profile is marked with what changed: an order re-reads its key figures, a page view only the
    # timeline; an identify (new traits, joined identities) may change anything
    kinds = {e.pk: e.type for e in batch.batch}
    changes = dict.fromkeys((i["party_id"] for i in interactions), freshness.INTERACTIONS)
    changes.update(dict.fromkeys(buyers, freshness.ORDERS | freshness.IDENTITY | freshness.INTERACTIONS))
    rest = {as_id(p) for pk, (p, _e) in batch.results.items() if p and kinds.get(pk) not in ("page", "track",
                                                                                           "screen")}
    rest |= {as_id(p) for p in batch.joined_stored.values()}
    rest |= {pid for kind, pid, _r in named if pid and kind == "person"}
    changes.update(dict.fromkeys(rest, freshness.EVERYTHING))
    freshness.mark_each(changes)
