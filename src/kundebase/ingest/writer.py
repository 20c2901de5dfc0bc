"""Carrying out the decisions for one chunk of records, inside the chunk's transaction.

Every write goes through the party services, so that validation, screening, survivorship, provenance,
audit and the ``party_saved`` hook behave as for any other channel: new persons through their bulk
service (one INSERT per table per chunk), updates one customer at a time.  The caller holds the transaction.
"""

from __future__ import annotations

from typing import Any

from kundebase.core.provenance import SourceRef, observe
from kundebase.ingest.consolidation import Decision
from kundebase.ingest.records import Record
from kundebase.parties import services
from kundebase.parties.models import ContactRole


def _source_for(rec: Record, source: SourceRef) -> SourceRef:
    return SourceRef(name=source.name, record_id=f"line {rec.line}", verified=source.verified)


def create_persons(recs: list[Record], source: SourceRef, actor: object, channel: str) -> list[int]:
    """New persons of a chunk, through the parties' bulk service: one statement per table, and per person
    their provenance (the file line) and audit entry."""
    return services.create_persons(
        [services.NewCustomer(rec.data, rec.contact_points, rec.addresses, source=_source_for(rec, source),
                              validated=True) for rec in recs], actor=actor, channel=channel, source=source)


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
    if decision.changes or decision.new_contact_points or decision.new_addresses:
        # one version and one audit entry for the row: its fields and what it adds
        update = services.update_person if kind == "person" else services.update_company
        added = services.Additions(
            contact_points=[{k: cp[k] for k in ("kind", "value", "label")} for cp in decision.new_contact_points],
            addresses=[{**address, "is_primary": False} for address in decision.new_addresses])
        update(party_id=pid, changes=decision.changes, actor=actor, channel=channel, source=src, additions=added)
    kept = {k: v for k, v in decision.refs.get("incoming", {}).items() if k not in decision.changes}
    observe(kind, pid, kept, src)


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
