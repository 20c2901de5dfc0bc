"""Raw inserts of generated customers for the page and sales benchmarks: the store is filled in seconds,
without the services (what is measured is reading, not writing)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

PARTY = ("INSERT INTO parties_party (id, created_at, updated_at, version, kind, customer_number, status, "
         "display_name, search_name, preferred_language, custom_fields, merged_into_id, erased_at, "
         "restricted_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
PERSON = ("INSERT INTO parties_person (party_ptr_id, given_name, family_name, birth_date, gender) "
          "VALUES (%s, %s, %s, %s, %s)")
COMPANY = ("INSERT INTO parties_company (party_ptr_id, legal_name, org_number, org_number_key, org_country, "
           "parent_id, industry_code, employees, annual_revenue, bank_account, payment_terms_days, credit_limit, "
           "dunning_status) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")


def insert_parties(cur: Any, rows: Sequence[tuple[Any, ...]], people: Sequence[tuple[Any, ...]],
                   firms: Sequence[tuple[Any, ...]]) -> None:
    """Party rows, then the person and company rows that extend them (call inside a transaction)."""
    cur.executemany(PARTY, rows)
    if people:
        cur.executemany(PERSON, people)
    if firms:
        cur.executemany(COMPANY, firms)
