"""Recognising what a value is from its shape: e-mails, phones, organisation numbers, dates in local spellings.

Used twice: to propose a column mapping when the header says nothing useful,
and to turn the local date spellings of Nordic, German and Hungarian files
(``31.12.1980``, ``1980.12.31.``, ``31/12/1980``) into ISO dates before the
shared validation sees them.
"""

from __future__ import annotations

import datetime as dt
import re

import pycountry

from kundebase.core import identifiers

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[\d\s().\-/]{6,20}$")
ORG_RE = re.compile(r"^(?:[A-Z]{2})?[\d\s\-]{8,14}$", re.I)
DATE_PATTERNS = [
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})\.\s?(\d{1,2})\.\s?(\d{1,2})\.?$"), ("y", "m", "d")),  # Hungarian 1980.12.31.
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), ("d", "m", "y")),  # 31.12.1980
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), ("d", "m", "y")),  # European order; never US
    (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), ("y", "m", "d")),  # vCard 19801231
]
COUNTRY_NAMES = {
    "norge": "NO", "noreg": "NO", "norway": "NO", "danmark": "DK", "denmark": "DK", "sverige": "SE",
    "sweden": "SE", "deutschland": "DE", "germany": "DE", "tyskland": "DE", "magyarorszag": "HU",
    "hungary": "HU", "ungarn": "HU", "osterreich": "AT", "austria": "AT", "schweiz": "CH", "suomi": "FI",
    "finland": "FI", "storbritannia": "GB", "united kingdom": "GB", "uk": "GB", "england": "GB",
}


def parse_date(value: object) -> dt.date | None:
    """A date from the spellings found in European files; ``None`` when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for pattern, order in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            try:
                return dt.date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                return None
    return None


def iso_date_or_text(value: object) -> object:
    """The ISO spelling when the value is a date in any known spelling, else the value unchanged (so the
    shared validation reports it in its own words)."""
    if value in (None, ""):
        return value
    parsed = parse_date(value)
    return parsed.isoformat() if parsed else value


def parse_datetime(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        return dt.datetime.fromisoformat(text).isoformat()
    except ValueError:
        pass
    date_part, _sep, time_part = text.partition(" ")
    day = parse_date(date_part)
    if day is None:
        return text
    if time_part:
        try:
            clock = dt.time.fromisoformat(time_part.strip())
        except ValueError:
            return text
        return dt.datetime.combine(day, clock).isoformat()
    return dt.datetime.combine(day, dt.time(12, 0)).isoformat()


def country_code(value: object) -> str:
    """ISO alpha-2 from a code or a name in the languages we import from; the input when unknown."""
    text = str(value or "").strip()
    if len(text) == 2:
        return text.upper()
    key = identifiers.fold(text)
    if key in COUNTRY_NAMES:
        return COUNTRY_NAMES[key]
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return text


def looks_like_email(text: str) -> bool:
    return bool(EMAIL_RE.match(text))


def looks_like_phone(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return bool(PHONE_RE.match(text)) and 8 <= digits <= 15 and parse_date(text) is None


def looks_like_org_number(text: str) -> bool:
    if not ORG_RE.match(text):
        return False
    for country in ("NO", "DK", "SE", "HU", "DE"):
        try:
            identifiers.org_number(text, country)
            return True
        except ValueError:
            continue
    return False


def shape_of(values: list[str]) -> str | None:
    """The shape most sample values share (at least 80 % of the non-empty ones), or ``None``."""
    sample = [str(v).strip() for v in values if str(v or "").strip()]
    if not sample:
        return None
    tests = (("email", looks_like_email), ("date", lambda t: parse_date(t) is not None),
             ("org_number", looks_like_org_number), ("phone", looks_like_phone))
    for name, test in tests:
        if sum(1 for v in sample if test(v)) >= 0.8 * len(sample):
            return name
    return None
