"""May we reach this customer on this channel?  One place answers it for exports, campaigns and triggers.

The rules (issue 4): e-mail and SMS marketing need a granted consent; phone
and addressed post may be used unless the person objected or is in an opt-out
register, with the exemption for existing customers; erased, restricted,
merged and suppressed people are never reached.  The register look-up is
behind :func:`register_block`, which hashes identifiers with the privacy app's
keyed hashing so its register imports and erasure suppressions apply here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from kundebase.privacy.models import OptOutEntry, Suppression

CONSENT_CHANNELS = {"email", "sms"}
REGISTER_CHANNELS = {"phone", "post"}
EXISTING_CUSTOMER_MONTHS = 24
REASONS = ("merged", "erased", "restricted", "suppressed", "opt_out_register", "no_consent", "no_contact_data")


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


def register_block(rows: list[dict[str, Any]], channel: str) -> dict[int, str]:
    """``{party_id: reason}`` for the rows an opt-out register or the suppression list blocks.

    Each row carries ``id``, ``status``, ``last_order_at`` and the identifiers
    (``email``, ``phone``, ``name_address``).  Existing customers (an order in
    the last 24 months) are exempt from the national registers on phone and post.
    """
    keys: dict[str, set[int]] = {}
    for row in rows:
        for ident in (row.get("email"), row.get("phone"), row.get("name_address")):
            if ident:
                keys.setdefault(identity_key(ident), set()).add(row["id"])
    if not keys:
        return {}
    blocked: dict[int, str] = {}
    for key in Suppression.objects.filter(key_hash__in=list(keys)).values_list("key_hash", flat=True):
        for pid in keys[key]:
            blocked[pid] = "suppressed"
    entries = OptOutEntry.objects.filter(key_hash__in=list(keys), channel=channel).values_list("register", "key_hash")
    cutoff = timezone.now() - dt.timedelta(days=30 * EXISTING_CUSTOMER_MONTHS)
    by_id = {row["id"]: row for row in rows}
    for register, key in entries:
        for pid in keys[key]:
            if pid in blocked:
                continue
            if register == OptOutEntry.Register.INTERNAL:
                blocked[pid] = "suppressed"
                continue
            if channel not in REGISTER_CHANNELS:
                continue
            last = by_id[pid].get("last_order_at")
            if last is not None and _aware(last) >= cutoff:
                continue  # existing customer relationship
            blocked[pid] = "opt_out_register"
    return blocked


def _aware(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)


def classify(rows: Iterable[dict[str, Any]], channel: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Split candidate rows into those we may contact and a count of the others per reason (first reason wins)."""
    rows = list(rows)
    registers = register_block(rows, channel)
    allowed: list[dict[str, Any]] = []
    excluded: dict[str, int] = {}
    for row in rows:
        reason = reason_for(row, channel) or registers.get(row["id"])
        if reason is None and not row.get("contact"):
            reason = "no_contact_data"
        if reason is None:
            allowed.append(row)
        else:
            excluded[reason] = excluded.get(reason, 0) + 1
    return allowed, excluded


def reason_for(row: dict[str, Any], channel: str) -> str | None:
    if row.get("merged_into_id"):
        return "merged"
    if row.get("erased_at"):
        return "erased"
    if row.get("restricted_at"):
        return "restricted"
    consent = row.get("consent") or "none"
    if channel in CONSENT_CHANNELS and consent != "granted":
        return "no_consent"
    if channel in REGISTER_CHANNELS and consent in ("denied", "withdrawn"):
        return "no_consent"
    return None
