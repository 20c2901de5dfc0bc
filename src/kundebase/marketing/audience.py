"""The people a segment reaches on a channel, streamed in chunks with what eligibility needs to decide.

One SQL statement gives every member with their consent state, last order
time and the contact data of the channel; rows are read in chunks from a
server-side cursor, so an export or a campaign of a million people never
holds them all in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.utils import timezone

from kundebase.core.dialect import for_connection
from kundebase.marketing import eligibility
from kundebase.marketing.models import Segment
from kundebase.marketing.segments import members_sql
from kundebase.parties.models import Address
from kundebase.privacy.models import Purpose

CHUNK = 2000
COLUMNS = ("id", "customer_number", "display_name", "preferred_language", "status", "merged_into_id",
           "erased_at", "restricted_at", "given_name", "family_name", "consent", "tracking", "last_order_at",
           "email", "phone", "mobile", "address_id")


def _contact_sql(ph: str, kinds: tuple[str, ...]) -> tuple[str, list[Any]]:
    marks = ", ".join([ph] * len(kinds))
    return (f"(SELECT cp.value FROM parties_contactpoint cp WHERE cp.party_id = p.id AND cp.kind IN ({marks}) "
            "ORDER BY cp.is_primary DESC, cp.id LIMIT 1)", list(kinds))


def _consent_sql(ph: str, purpose_id: int | None, channel: str, now: Any) -> tuple[str, list[Any]]:
    return (f"(SELECT ce.status FROM privacy_consentevent ce WHERE ce.party_id = p.id AND ce.purpose_id = {ph} "
            f"AND ce.channel = {ph} AND ce.captured_at <= {ph} AND (ce.valid_from IS NULL OR ce.valid_from <= {ph}) "
            f"AND (ce.valid_until IS NULL OR ce.valid_until > {ph}) ORDER BY ce.captured_at DESC, ce.id DESC LIMIT 1)",
            [purpose_id or 0, channel, now, now, now])


def candidates_sql(segment: Segment | None, *, purpose: str, channel: str,
                   members: tuple[str, list[Any]] | None = None) -> tuple[str, list[Any]]:
    dialect = for_connection()
    ph = dialect.placeholder
    now = dialect.datetime_param(timezone.now())
    purpose_id = Purpose.objects.filter(key=purpose).values_list("id", flat=True).first()
    consent, consent_p = _consent_sql(ph, purpose_id, channel, now)
    tracking, tracking_p = _consent_sql(ph, purpose_id, "profiling", now)
    email, email_p = _contact_sql(ph, ("email",))
    phone, phone_p = _contact_sql(ph, ("mobile", "phone"))
    mobile, mobile_p = _contact_sql(ph, ("mobile",))
    members_sql_, members_p = members or members_sql(segment, include_merged=True)  # type: ignore[arg-type]
    sql = (
        "SELECT p.id, p.customer_number, p.display_name, p.preferred_language, p.status, p.merged_into_id, "
        f"p.erased_at, p.restricted_at, pe.given_name, pe.family_name, {consent}, {tracking}, "
        "(SELECT MAX(o.ordered_at) FROM orders_order o WHERE o.party_id = p.id), "
        f"{email}, {phone}, {mobile}, "
        "(SELECT a.id FROM parties_address a WHERE a.party_id = p.id ORDER BY a.is_primary DESC, "
        f"a.kind = {ph} DESC, a.id LIMIT 1) "
        "FROM parties_party p LEFT JOIN parties_person pe ON pe.party_ptr_id = p.id "
        f"WHERE p.id IN ({members_sql_}) ORDER BY p.id"
    )
    return sql, [*consent_p, *tracking_p, *email_p, *phone_p, *mobile_p, "postal", *members_p]


def _contact_for(row: dict[str, Any], channel: str) -> Any:
    return {"email": row["email"], "sms": row["mobile"], "phone": row["phone"], "post": row["address"]}.get(channel)


def chunks(segment: Segment | None, *, purpose: str, channel: str, members: tuple[str, list[Any]] | None = None
           ) -> Iterator[tuple[list[dict[str, Any]], dict[str, int]]]:
    """Yield ``(allowed rows, excluded counts)`` chunk by chunk."""
    sql, params = candidates_sql(segment, purpose=purpose, channel=channel, members=members)
    cursor = connection.chunked_cursor()
    try:
        cursor.execute(sql, params)
        while True:
            raw = cursor.fetchmany(CHUNK)
            if not raw:
                break
            rows = [dict(zip(COLUMNS, r, strict=True)) for r in raw]
            addresses = Address.objects.in_bulk([r["address_id"] for r in rows if r["address_id"]])
            for row in rows:
                address = addresses.get(row["address_id"])
                row["address"] = address
                row["tracking"] = row["tracking"] == "granted"
                if address is not None:
                    row["name_address"] = f"{row['display_name']}|{address.street}|{address.postcode}"
                row["contact"] = _contact_for(row, channel)
            yield eligibility.classify(rows, channel, purpose)
    finally:
        cursor.close()
