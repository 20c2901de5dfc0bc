"""The columns the demo load writes per table, and the rows of one chunk on their way to the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

PARTY = ("id", "created_at", "updated_at", "version", "kind", "customer_number", "status", "display_name",
         "search_name", "preferred_language", "custom_fields")
PERSON = ("party_ptr_id", "given_name", "family_name", "birth_date", "gender")
COMPANY = ("party_ptr_id", "legal_name", "org_number", "org_number_key", "org_country", "parent_id", "industry_code",
           "employees", "annual_revenue", "bank_account", "payment_terms_days", "credit_limit", "dunning_status")
CONTACT_POINT = ("party_id", "created_at", "updated_at", "kind", "value", "normalised", "label", "is_primary",
                 "is_verified")
ADDRESS = ("party_id", "created_at", "updated_at", "kind", "street", "postcode", "city", "municipality", "region",
           "country", "is_primary", "valid_from")
ROLE = ("person_id", "company_id", "created_at", "updated_at", "position", "department", "start_date", "end_date",
        "is_primary_contact")
ORDER = ("id", "created_at", "updated_at", "party_id", "order_number", "ordered_at", "channel", "source", "currency",
         "revenue", "cost")
ORDER_LINE = ("order_id", "product_id", "description", "quantity", "revenue", "cost")
INTERACTION = ("party_id", "contact_person_id", "created_at", "updated_at", "kind", "direction", "channel",
               "occurred_at", "subject", "body", "outcome", "handled_by_id", "follow_up_on", "follow_up_done_at",
               "source", "source_record_id", "custom_fields")
INTEREST = ("party_id", "category_id", "product_id", "created_at", "updated_at", "source", "accepted")

Row = Sequence[Any]


@dataclass
class ChunkRows:
    parties: list[Row] = field(default_factory=list)
    persons: list[Row] = field(default_factory=list)
    companies: list[Row] = field(default_factory=list)
    contact_points: list[Row] = field(default_factory=list)
    addresses: list[Row] = field(default_factory=list)
    roles: list[Row] = field(default_factory=list)
    orders: list[list[Any]] = field(default_factory=list)
    """Lists, not tuples: order numbers are filled in once the chunk knows how many it needs."""
    order_lines: list[Row] = field(default_factory=list)
    interactions: list[Row] = field(default_factory=list)
    interests: list[Row] = field(default_factory=list)
    truth: list[tuple[str, str, str]] = field(default_factory=list)

    def count(self) -> int:
        return sum(len(v) for k, v in vars(self).items() if k != "truth")
