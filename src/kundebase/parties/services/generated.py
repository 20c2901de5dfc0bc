"""Storing generated customers (the demo data set): rows whose values are final, written in bulk.

The demo generator builds millions of rows that need no cleaning (it makes them valid) and assigns their
ids itself so that children can point at parents.  They still go through the parties' write path: the
rows land here, in one statement per table, and every customer gets the audit entry that says how they
came to be stored, so an access report for a demo person is as complete as for any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kundebase.core import audit
from kundebase.core.bulk import insert_rows
from kundebase.parties.models import Address, Company, ContactPoint, ContactRole, Party, Person

Rows = tuple[Sequence[str], Sequence[Sequence[Any]]]
"""Column (attribute) names and the rows, one value per column."""

TABLES: tuple[tuple[str, type[Any]], ...] = (
    ("parties", Party), ("persons", Person), ("companies", Company), ("contact_points", ContactPoint),
    ("addresses", Address), ("roles", ContactRole))
"""The tables in the order they are written: parents before what points at them."""


def _dicts(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]


def store_generated(tables: dict[str, Rows], *, actor: object, channel: str, note: str) -> int:
    """Insert generated customers (``tables`` keyed as :data:`TABLES`; parents of companies first) and give each
    customer a ``create`` audit entry naming ``note``; returns the number of customers.  In the caller's
    transaction."""
    for name, model in TABLES:
        if name in tables:
            insert_rows(model, _dicts(*tables[name]))
    if "parties" not in tables:
        return 0
    columns, rows = tables["parties"]
    id_at, kind_at = list(columns).index("id"), list(columns).index("kind")
    fields = {name: [c for c in tables[name][0] if c not in ("party_ptr_id", "org_number_key")]
              for name in ("persons", "companies") if name in tables}
    audit.record_many([
        {"action": "create", "actor": actor, "entity": row[kind_at], "record_id": row[id_at],
         "party_id": row[id_at], "channel": channel, "note": note,
         "fields": fields.get("persons" if row[kind_at] == Party.Kind.PERSON else "companies", [])}
        for row in rows])
    return len(rows)
