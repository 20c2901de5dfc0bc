"""E-mail addresses and websites as comparable keys (phones: :func:`kundebase.core.identifiers.phone_key`)."""

from __future__ import annotations

import re
from functools import lru_cache

GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
"""Providers that ignore dots in the local part; ``googlemail.com`` is the same mailbox as ``gmail.com``."""


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
