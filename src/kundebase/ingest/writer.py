"""Carrying out the decisions for one chunk of records, inside the chunk's transaction.

New persons are written in bulk (one INSERT per table per chunk) after the
same validation every channel uses; updates go through the party services so
that survivorship, provenance, audit and the ``party_saved`` hook behave as for
any other write.  The caller holds the transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils import timezone

from kundebase.core import audit, hooks, identifiers, sequences
from kundebase.core.bulk import insert_rows
from kundebase.core.models import Observation
from kundebase.core.provenance import SourceRef, observe
from kundebase.ingest.consolidation import Decision
from kundebase.ingest.records import Record
from kundebase.parties import services
from kundebase.parties.models import Address, ContactPoint, ContactRole, Party, Person

PERSON_FIELDS = ("given_name", "family_name", "birth_date", "gender")


def _source_for(rec: Record, source: SourceRef) -> SourceRef:
    return SourceRef(name=source.name, record_id=f"line {rec.line}", verified=source.verified)


def _numbers(recs: list[Record]) -> list[str]:
    """Customer numbers: the file's own where given (the counter is moved past them), else allocated."""
    missing = sum(1 for r in recs if not r.data.get("customer_number"))
    first = sequences.allocate("customer_number", missing) if missing else 0
    out = []
    for rec in recs:
        number = str(rec.data.get("customer_number") or "")
        if number:
            if number.isdigit():
                sequences.bump_past("customer_number", int(number))
        else:
            number = str(first)
            first += 1
        out.append(number)
    return out


def create_persons(recs: list[Record], source: SourceRef, actor: object, channel: str) -> list[int]:
    """Bulk-create persons with their contact points, addresses, observations and audit entries."""
    if not recs:
        return []
    now = timezone.now()
    numbers = _numbers(recs)
    parties = []
    for rec, number in zip(recs, numbers, strict=True):
        name = services.person_name(rec.data.get("given_name", ""), rec.data["family_name"])
        parties.append(Party(kind=Party.Kind.PERSON, customer_number=number, display_name=name,
                             search_name=identifiers.fold(name), status=rec.data.get("status") or "prospect",
                             preferred_language=rec.data.get("preferred_language", ""), created_at=now,
                             updated_at=now))
    Party.objects.bulk_create(parties)
    if parties[0].pk is None:  # a backend that does not return ids from bulk inserts
        ids = dict(Party.objects.filter(customer_number__in=numbers).values_list("customer_number", "id"))
        for party in parties:
            party.pk = party.id = ids[party.customer_number]
    # Multi-table inheritance: Django cannot bulk-create the child table, so it is one plain INSERT.
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (party_ptr_id, given_name, family_name, birth_date, gender) "
            "VALUES (%s, %s, %s, %s, %s)",
            [(p.pk, r.data.get("given_name", ""), r.data["family_name"],
              r.data["birth_date"].isoformat() if r.data.get("birth_date") else None, r.data.get("gender", ""))
             for p, r in zip(parties, recs, strict=True)])
    cps: list[dict[str, Any]] = []
    addrs: list[dict[str, Any]] = []
    observations: list[dict[str, Any]] = []
    for party, rec in zip(parties, recs, strict=True):
        seen_kinds: set[str] = set()
        for cp in rec.contact_points:
            cps.append({**cp, "party_id": party.pk, "is_primary": cp["kind"] not in seen_kinds, "created_at": now,
                        "updated_at": now})
            seen_kinds.add(cp["kind"])
        for i, address in enumerate(rec.addresses):
            addrs.append({**address, "party_id": party.pk, "is_primary": i == 0, "created_at": now,
                          "updated_at": now})
        src = _source_for(rec, source)
        values = {k: v for k, v in rec.data.items() if k in PERSON_FIELDS or k == "preferred_language"}
        values.update({cp["kind"]: cp["value"] for cp in rec.contact_points})
        if rec.addresses:
            values["address"] = str(Address(**rec.addresses[0]))
        observations.extend({"entity": "person", "record_id": party.pk, "field": k, "value": str(v),
                             "source": src.name[:120], "source_record_id": src.record_id, "received_at": now,
                             "verified": src.verified} for k, v in values.items() if v not in (None, ""))
    insert_rows(ContactPoint, cps)
    insert_rows(Address, addrs)
    insert_rows(Observation, observations)
    # One audit entry per chunk, naming the first and last customer created: the hash chain serialises every
    # entry, so one per person would make the audit lock the bottleneck of a million-row import.  What was
    # stored for each person, from which source and when, is in the observations written above.
    audit.record(action="create", actor=actor, entity="person", record_id=parties[0].pk, party_id=None,
                 channel=channel, fields=sorted({k for r in recs for k, v in r.data.items() if v not in (None, "")}
                                                | {f"contact_points.{cp['kind']}" for r in recs
                                                   for cp in r.contact_points}),
                 note=f"import from {source.name}: {len(parties)} persons, ids {parties[0].pk}-{parties[-1].pk}")
    for fn in hooks.party_saved:
        fn(party_ids=[p.pk for p in parties], created=True)
    return [p.pk for p in parties]


def create_company(rec: Record, source: SourceRef, actor: object, channel: str) -> int:
    data = {k: v for k, v in rec.data.items() if k != "org_number_key"}
    company = services.create_company(data=data, contact_points=rec.contact_points, addresses=rec.addresses,
                                      actor=actor, channel=channel, source=_source_for(rec, source))
    return company.pk


def update_party(entity: str, rec: Record, decision: Decision, source: SourceRef, actor: object,
                 channel: str) -> None:
    """Apply the fields survivorship gave to this source; keep the losing values as observations."""
    pid = decision.party_id
    assert pid is not None
    src = _source_for(rec, source)
    kind = "person" if entity == "persons" else "company"
    if decision.changes:
        update = services.update_person if kind == "person" else services.update_company
        update(party_id=pid, changes=decision.changes, actor=actor, channel=channel, source=src)
    kept = {k: v for k, v in decision.refs.get("incoming", {}).items() if k not in decision.changes}
    observe(kind, pid, kept, src)
    for cp in decision.new_contact_points:
        services.add_contact_point(party_id=pid, data={k: cp[k] for k in ("kind", "value", "label")},
                                   actor=actor, channel=channel, source=src)
    for address in decision.new_addresses:
        services.add_address(party_id=pid, data={**address, "is_primary": False}, actor=actor, channel=channel,
                             source=src)


def write_linked(entity: str, rec: Record, decision: Decision, source: SourceRef, actor: object,
                 channel: str) -> tuple[str, int | None]:
    """Roles, interactions and orders through their services; ``(outcome, record id)``."""
    pid = decision.party_id
    assert pid is not None
    if entity == "roles":
        company_id = decision.refs["company_id"]
        existing = ContactRole.objects.filter(person_id=pid, company_id=company_id,
                                              position=rec.data.get("position", "")).first()
        if existing:
            return "unchanged", existing.pk
        role = services.add_role(person_id=pid, company_id=company_id, data=rec.data, actor=actor, channel=channel)
        return "created", role.pk
    if entity == "interactions":
        from kundebase.interactions.services import log_interaction

        data: dict[str, Any] = {**rec.data, "source": source.name}
        interaction = log_interaction(party_id=pid, data=data, actor=actor, channel=channel,
                                      source_record_id=rec.extra.get("external_id") or f"line {rec.line}")
        return "created", interaction.pk
    from kundebase.orders.models import Order
    from kundebase.orders.services import create_order

    number = rec.data.get("order_number")
    if number:
        existing_order = Order.objects.filter(order_number=number).values_list("pk", "party_id").first()
        if existing_order:
            return ("unchanged" if existing_order[1] == pid else "error"), existing_order[0]
    order = create_order(party_id=pid, data={**rec.data, "source": source.name}, lines=rec.extra["lines"],
                         actor=actor, channel=channel)
    return "created", order.pk
