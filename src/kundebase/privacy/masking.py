"""Role-based pseudonymisation: some roles see stable pseudonyms instead of names and contact details."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings

MASKED_KEYS = {"given_name", "family_name", "display_name", "legal_name", "value", "street", "bank_account",
               "email", "phone"}


def is_pseudonymised(user: object) -> bool:
    """True for roles that may analyse customers but not identify them (the analyst)."""
    if getattr(user, "is_superuser", False):
        return False
    has_perm = getattr(user, "has_perm", None)
    return bool(has_perm and has_perm("privacy.pseudonymised_only"))


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
        cp["value"] = pseudonym(cp.get("kind", "contact"), cp.get("value"))
    for address in data.get("addresses") or []:
        address["street"] = "•••"
    return data
