"""May we reach this customer on this channel?  Exports, campaigns and triggers ask here, and this asks the
privacy app's one marketing rule (:mod:`kundebase.privacy.decision`), the same that answers
``/privacy/marketing-allowed`` — so a list can never hold someone the endpoint says ``no`` for.

Its reasons are grouped into the categories target lists count (``REASONS``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kundebase.privacy import decision

REASONS = ("merged", "erased", "restricted", "suppressed", "opt_out_register", "no_consent", "no_contact_data")
_CATEGORY = {"consent_denied": "no_consent", "consent_withdrawn": "no_consent", "internal_suppression": "suppressed"}


def category(reason: str) -> str:
    """The target-list category of a decision's reason (``register:dk_robinson`` → ``opt_out_register``)."""
    return "opt_out_register" if reason.startswith("register:") else _CATEGORY.get(reason, reason)


def identity_key(value: str) -> str:
    """The privacy app's keyed hash of an identifier, the form registers and suppressions are stored in.

    ``value`` is an e-mail, a phone number or ``name|street|postcode``; using the privacy app's hashing means a
    register it imported and a person it erased are recognised here without a second key scheme.
    """
    from kundebase.privacy import hashing

    text = value.strip()
    if "|" in text:
        name, street, postcode = (text.split("|") + ["", ""])[:3]
        return hashing.name_address_hash(name, street, postcode) or hashing.keyed_hash("raw", text.lower())
    if "@" in text:
        return hashing.email_hash(text) or hashing.keyed_hash("raw", text.lower())
    return hashing.phone_hash(text) or hashing.keyed_hash("raw", text.lower())



def classify(rows: Iterable[dict[str, Any]], channel: str, purpose: str
             ) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Split candidate rows (each with ``id`` and ``contact``) into those we may contact and a count of the
    others per reason category; someone the rule allows but who has no contact data on the channel is
    counted as ``no_contact_data``."""
    rows = list(rows)
    decided = decision.decide_many([row["id"] for row in rows], channel=channel, purpose=purpose)
    allowed: list[dict[str, Any]] = []
    excluded: dict[str, int] = {}
    for row in rows:
        ok, reason = decided.get(row["id"], (False, "erased"))
        found = None if ok else category(reason)
        if found is None and not row.get("contact"):
            found = "no_contact_data"
        if found is None:
            allowed.append(row)
        else:
            excluded[found] = excluded.get(found, 0) + 1
    return allowed, excluded
