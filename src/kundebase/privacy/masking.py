"""Role-based pseudonymisation: some roles see stable pseudonyms instead of names and contact details."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings

# Who is pseudonymised is decided in core, beside the roles; how they see customers is decided here.
from kundebase.core.roles import identifies_people as identifies_people
from kundebase.core.roles import is_pseudonymised as is_pseudonymised

MASKED_KEYS = {"given_name", "family_name", "display_name", "legal_name", "value", "street", "bank_account",
               "email", "phone", "mobile", "name", "address"}


def pseudonym(kind: str, value: object) -> str:
    """Stable per installation (keyed with the secret), so an analyst can count and join but not identify."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind[:1].upper()}-{digest[:10]}"


def mask_party(data: dict[str, Any]) -> dict[str, Any]:
    """Mask a serialised customer in place: names, contact values, streets, exact birth date."""
    pid = data.get("id")
    for key in ("given_name", "family_name", "legal_name", "bank_account"):
        if data.get(key):
            data[key] = "•••"
    if "display_name" in data:
        data["display_name"] = pseudonym("customer", pid)
    if data.get("birth_date"):
        data["birth_date"] = None
    for cp in data.get("contact_points") or []:
        cp["value"] = pseudonym(cp.get("kind", "contact"), cp.get("normalised") or cp.get("value"))
        if "normalised" in cp:
            cp["normalised"] = cp["value"]
    for address in data.get("addresses") or []:
        address["street"] = "•••"
    custom = data.get("custom_fields")
    if custom and data.get("kind"):
        from kundebase.core.models import CustomFieldDefinition

        secret = set(CustomFieldDefinition.objects.filter(entity=data["kind"], personal_identifier=True,
                                                          key__in=list(custom)).values_list("key", flat=True))
        data["custom_fields"] = {k: ("•••" if k in secret else v) for k, v in custom.items()}
    for role in data.get("roles") or data.get("contacts") or []:
        role["person_name"] = pseudonym("customer", role.get("person_id"))
    return data


FREE_TEXT = ("subject", "body", "outcome")
"""What people wrote about a customer: it names people and quotes their words, so the pseudonymised role sees
none of it record by record (text analytics shows it only as phrases many customers used)."""


def mask_free_text(data: dict[str, Any], keys: Iterable[str] = FREE_TEXT) -> dict[str, Any]:
    """Blank the free-text fields of a serialised record in place (for the pseudonymised role)."""
    for key in keys:
        if data.get(key):
            data[key] = "•••"
    return data


def identifier_columns() -> set[str]:
    """Column names that identify a person, from the field declarations (for exports and analytics)."""
    from kundebase.privacy.declarations import personal_identifiers

    return {key.rsplit(".", 1)[1] for key in personal_identifiers()} | MASKED_KEYS


def mask_rows(rows: Iterable[dict[str, Any]], user: object, *, id_key: str = "id") -> Iterator[dict[str, Any]]:
    """Rows of an export or analytics result as the user may see them: identifying columns pseudonymised
    (stable per installation, so counts and joins still work), exact birth dates reduced to the year."""
    if not is_pseudonymised(user):
        yield from rows
        return
    columns = identifier_columns()
    for row in rows:
        out = dict(row)
        for key, value in row.items():
            if key == "birth_date" and value:
                out[key] = str(value)[:4]
            elif key in columns and value not in (None, ""):
                out[key] = pseudonym(key, value)
        yield out


def mask_provenance(fields: list[dict[str, Any]], user: object) -> list[dict[str, Any]]:
    """A record's provenance as the user may see it: for the pseudonymised role every value (shown and per
    source) is a stable pseudonym, so the sources and their agreement stay visible but no raw value does."""
    if not is_pseudonymised(user):
        return fields
    out = []
    for field in fields:
        name = field["field"]
        values = [{**v, "value": pseudonym(name, v["value"]) if v.get("value") not in (None, "") else v["value"]}
                  for v in field["values"]]
        shown = field.get("shown")
        out.append({**field, "shown": pseudonym(name, shown) if shown not in (None, "") else shown,
                    "values": values})
    return out
