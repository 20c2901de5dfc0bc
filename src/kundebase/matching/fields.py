"""The fields a record is matched on, and the prepared (normalised) columns the comparisons read.

A record is a dict of *roles* (given_name, family_name, birth_date, …) to raw text;
``prepare`` turns a column of records into arrays of keys.  The same function
prepares one record at entry and a million in a batch, so both score alike.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from kundebase.matching.normalise import addresses, companies, contacts, names

PERSON_ROLES = ("given_name", "family_name", "full_name", "birth_date", "street", "house_number", "postcode",
                "city", "phone", "email", "national_id")
COMPANY_ROLES = ("company_name", "org_number", "website", "street", "house_number", "postcode", "city", "phone",
                 "email", "group")
ROLES = tuple(dict.fromkeys((*PERSON_ROLES, *COMPANY_ROLES)))


@lru_cache(maxsize=1 << 16)
def _date(value: Any) -> str:
    """ISO date from the spellings files use: 1980-12-31, 31.12.1980, 31/12/1980, 19801231, 1980.12.31."""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value or "").strip()
    if not text:
        return ""
    digits = re.findall(r"\d+", text)
    if len(digits) == 1 and len(digits[0]) == 8:
        d = digits[0]
        return f"{d[:4]}-{d[4:6]}-{d[6:]}" if d[:2] in {"18", "19", "20"} else f"{d[4:]}-{d[2:4]}-{d[:2]}"
    if len(digits) >= 3:
        a, b, c = digits[:3]
        if len(a) == 4:
            return f"{a}-{b.zfill(2)}-{c.zfill(2)}"
        if len(c) == 4:
            return f"{c}-{b.zfill(2)}-{a.zfill(2)}"
    return text


def prepare_one(record: Mapping[str, Any], default_country: str = "NO") -> dict[str, str]:
    """Keys of one record (every role present, empty string where unknown)."""
    get = lambda role: str(record.get(role) or "").strip()  # noqa: E731
    given, family = get("given_name"), get("family_name")
    if not (given or family) and get("full_name"):
        given, family = names.split_full_name(get("full_name"), str(record.get("language") or ""))
    street_name, house, letter = addresses.split_street(get("street"))
    if get("house_number"):
        _n, house, letter = addresses.split_street("x " + get("house_number"))
    phone_raw = get("phone")
    country = (str(record.get("country") or default_country) or "NO").upper()[:2]
    phone = contacts.phone(phone_raw, country) if phone_raw else ""
    if phone_raw and not phone:
        phone = re.sub(r"\D", "", phone_raw)
    email = contacts.email(get("email"))
    company = get("company_name")
    return {
        "given_plain": names.plain(given), "given_key": names.key(names.first_token(given)),
        "given_nick": names.nickname_group(given) if given else "",
        "family_plain": names.plain(family), "family_key": names.key(family),
        "birth_date": (born := _date(record.get("birth_date"))),
        # derived once per record, so comparisons of millions of pairs stay vectorised
        "birth_year": born[:4], "birth_swapped": f"{born[:4]}-{born[8:10]}-{born[5:7]}" if len(born) == 10 else "",
        "street_name": street_name, "house": f"{house}{letter}",
        "street_key": f"{street_name} {house}{letter}".strip(),
        "postcode": addresses.postcode(get("postcode"), country), "city": addresses.city(get("city")),
        "phone": phone, "phone_tail": phone[-6:], "email": email, "email_local": email.split("@")[0] if email else "",
        "national_id": re.sub(r"[\s\-]", "", get("national_id")).upper(),
        "company_key": companies.key(company) if company else "",
        "org_number": re.sub(r"[^0-9A-Za-z]", "", get("org_number")).upper(),
        "website": contacts.website(get("website")), "group": get("group"),
    }


FEATURES = tuple(prepare_one({}))


def prepare(records: Iterable[Mapping[str, Any]], default_country: str = "NO") -> dict[str, np.ndarray]:
    """Column arrays (object dtype) of every feature for many records."""
    rows = [prepare_one(r, default_country) for r in records]
    return {f: np.array([row[f] for row in rows], dtype=object) for f in FEATURES}


def present_roles(records: list[Mapping[str, Any]]) -> set[str]:
    """The roles that carry a value in at least one record: only those get a comparison."""
    seen: set[str] = set()
    for record in records:
        seen.update(k for k, v in record.items() if v not in (None, ""))
    return seen
