"""Phones, e-mail addresses and websites as comparable keys."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

_PUNCTUATION = re.compile(r"[\s\-./()]")
_INTERNATIONAL = re.compile(r"^(?:\+|00)([1-9]\d{6,14})$")
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
"""Providers that ignore dots in the local part; ``googlemail.com`` is the same mailbox as ``gmail.com``."""


@lru_cache(maxsize=1 << 18)
def phone(value: str, default_country: str = "NO") -> str:
    """E.164, or "" where the text is no phone number (``0047 22 33 44 55`` → ``+4722334455``).

    The same phonenumbers calls as ``core.identifiers.phone``, without building an error message for
    every miss: a batch meets many non-numbers, and the file command runs without Django's settings.
    """
    raw = (value or "").strip()
    if not raw or len(raw) > 40:
        return ""
    compact = _PUNCTUATION.sub("", raw.replace("(0)", ""))
    international = _INTERNATIONAL.match(compact)
    if international:  # already international: the digits are the key (phonenumbers costs 100 µs a number)
        return "+" + international.group(1)
    try:
        number = phonenumbers.parse(raw, (default_country or "").upper() or None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=1 << 18)
def email(value: str) -> str:
    """The mailbox an address delivers to: lower case, ``+tag`` removed, Gmail dots removed.

    ``Kari.Nordmann+shop@GoogleMail.com`` → ``karinordmann@gmail.com``.  Invalid text gives "".
    """
    raw = (value or "").strip().lower()
    if raw.count("@") != 1:
        return ""
    local, domain = raw.split("@")
    domain = domain.strip(".")
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    if not local or "." not in domain:
        return ""
    return f"{local}@{domain}"


def website(value: str) -> str:
    """The host of a web address without scheme, ``www.``, port, path or trailing slash."""
    raw = (value or "").strip().lower()
    if not raw:
        return ""
    raw = re.sub(r"^[a-z][a-z0-9+.-]*://", "", raw)
    host = re.split(r"[/?#]", raw, maxsplit=1)[0].split(":")[0].strip(".")
    host = host.removeprefix("www.")
    return host if "." in host else ""


def email_domain(value: str) -> str:
    key = email(value)
    return key.split("@", 1)[1] if key else ""
