"""Keyed hashes of identifiers, for opt-out registers and erasure suppression.

A keyed hash (HMAC-SHA256 with a per-installation key) lets us answer "is this phone number on the register?"
or "was this person erased?" without keeping the number or the person.  The key is derived from the
installation's secret (``KUNDEBASE_SECRET_KEY``), which is kept outside the database, so a stolen database
alone does not allow guessing the identifiers behind the hashes.  Rotating the secret invalidates every
suppression and register hash (re-import the registers; see docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from functools import lru_cache

from django.conf import settings

from kundebase.core import identifiers


@lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"kundebase/privacy/identifier-hash/v1", hashlib.sha256).digest()


def keyed_hash(kind: str, value: str) -> str:
    return hmac.new(_key(settings.SECRET_KEY), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def name_key(name: str) -> str:
    """Name words folded and sorted, so "Nordmann, Kari" and "Kari Nordmann" agree."""
    return " ".join(sorted(identifiers.fold(name).replace(",", " ").split()))


def street_key(street: str) -> str:
    folded = identifiers.fold(street)
    folded = re.sub(r"\b(gate|gata|gaten)\b", "gt", folded)
    folded = re.sub(r"\b(vej|veien|vegen|vei)\b", "vei", folded)
    return re.sub(r"[\s.\-]+", "", folded)


def phone_hash(value: str, country: str | None = None) -> str | None:
    number = identifiers.phone_or_none(value, country or settings.KUNDEBASE_DEFAULT_COUNTRY)
    return keyed_hash("phone", number) if number else None


def email_hash(value: str) -> str | None:
    try:
        return keyed_hash("email", identifiers.email_key(value))
    except ValueError:
        return None


def name_address_hash(name: str, street: str, postcode: str) -> str | None:
    n, s, p = name_key(name), street_key(street), re.sub(r"\s+", "", postcode or "")
    if not n or not (s or p):
        return None
    return keyed_hash("name_address", f"{n}|{s}|{p}")


def name_birth_hash(given_name: str, family_name: str, birth_date: dt.date | str | None) -> str | None:
    if not birth_date or not family_name:
        return None
    born = birth_date.isoformat() if isinstance(birth_date, dt.date) else str(birth_date)
    return keyed_hash("name_birth", f"{name_key(f'{given_name} {family_name}')}|{born}")
