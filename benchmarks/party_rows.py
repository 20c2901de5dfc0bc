"""Raw inserts of generated customers for the page and sales benchmarks: the store is filled in seconds,
without the services (what is measured is reading, not writing). On PostgreSQL rows are streamed with ``COPY``
(a million customers in a minute or two); SQLite gets ``executemany``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

PARTY_COLUMNS = ("id", "created_at", "updated_at", "version", "kind", "customer_number", "status", "display_name",
                 "search_name", "preferred_language", "custom_fields", "merged_into_id", "erased_at",
                 "restricted_at")
PERSON_COLUMNS = ("party_ptr_id", "given_name", "family_name", "birth_date", "gender")
COMPANY_COLUMNS = ("party_ptr_id", "legal_name", "org_number", "org_number_key", "org_country", "parent_id",
                   "industry_code", "employees", "annual_revenue", "bank_account", "payment_terms_days",
                   "credit_limit", "dunning_status")


def bulk_rows(cur: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write ``rows`` into ``table``: ``COPY … FROM STDIN`` on PostgreSQL (through the driver's own cursor),
    one prepared ``INSERT`` per row elsewhere. Call inside a transaction."""
    names = ", ".join(columns)
    if cur.db.vendor == "postgresql":
        with cur.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", list(rows))


@contextmanager
def indexes_dropped(cur: Any, tables: Sequence[str]) -> Iterator[None]:
    """On PostgreSQL, drop the tables' secondary indexes (not those behind a primary key or unique constraint)
    for a bulk load and build them again after it: one sort per index instead of keeping every index, the
    trigram ones above all, up to date row by row. Elsewhere nothing changes."""
    if cur.db.vendor != "postgresql":
        yield
        return
    cur.execute("SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "JOIN pg_class c ON c.relname = i.indexname AND c.relnamespace = to_regnamespace(i.schemaname) "
                "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)", [list(tables)])
    found = cur.fetchall()
    for name, _definition in found:
        cur.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        # Deferred foreign-key checks of the loaded rows run now: PostgreSQL builds no index on a table with
        # trigger events pending (inside a transaction, as in the tests; a commit would run them as well).
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, definition in found:
            cur.execute(definition)


def insert_parties(cur: Any, rows: Sequence[tuple[Any, ...]], people: Sequence[tuple[Any, ...]],
                   firms: Sequence[tuple[Any, ...]]) -> None:
    """Party rows, then the person and company rows that extend them (call inside a transaction)."""
    bulk_rows(cur, "parties_party", PARTY_COLUMNS, rows)
    if people:
        bulk_rows(cur, "parties_person", PERSON_COLUMNS, people)
    if firms:
        bulk_rows(cur, "parties_company", COMPANY_COLUMNS, firms)
