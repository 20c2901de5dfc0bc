"""An erasure's outcome in words, for the person who pressed the button.

The erasure service records what it did as counts per kind (``addresses: 1, consent_events: 0``) in the closed
request, which is what the API returns.  People read sentences: each count that is not zero becomes one line
("1 address deleted"), in the user's language, in a fixed order.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kundebase.web.labels import count

PHRASES: dict[str, Callable[[int], str]] = {
    "fields": lambda n: ngettext("%(n)s identifying field emptied or masked",
                                 "%(n)s identifying fields emptied or masked", n),
    "contact_points": lambda n: ngettext("%(n)s e-mail address or phone number deleted",
                                         "%(n)s e-mail addresses and phone numbers deleted", n),
    "addresses": lambda n: ngettext("%(n)s postal address deleted", "%(n)s postal addresses deleted", n),
    "roles": lambda n: ngettext("%(n)s role at a company removed", "%(n)s roles at companies removed", n),
    "interactions": lambda n: ngettext("%(n)s logged contact emptied of its text",
                                       "%(n)s logged contacts emptied of their text", n),
    "orders_anonymised": lambda n: ngettext("%(n)s order kept for the accounts, without the person",
                                            "%(n)s orders kept for the accounts, without the person", n),
    "consent_events": lambda n: ngettext("%(n)s consent record deleted", "%(n)s consent records deleted", n),
    "product_interests": lambda n: ngettext("%(n)s product interest deleted", "%(n)s product interests deleted", n),
    "observations": lambda n: ngettext("%(n)s record of where data came from deleted",
                                       "%(n)s records of where data came from deleted", n),
    "suppression_hashes": lambda n: ngettext(
        "%(n)s identifier kept only as a one-way code, so an import cannot bring the person back",
        "%(n)s identifiers kept only as one-way codes, so an import cannot bring the person back", n),
}


def parse(outcome: str) -> dict[str, int]:
    """``"addresses: 1, fields: 4"`` (the closed request's outcome) as ``{"addresses": 1, "fields": 4}``."""
    counts: dict[str, int] = {}
    for part in outcome.split(","):
        key, _sep, value = part.rpartition(":")
        if value.strip().isdigit():
            counts[key.strip()] = counts.get(key.strip(), 0) + int(value)
    return counts


def describe(outcome: str) -> list[str]:
    """One sentence per kind of data the erasure touched, zero counts left out."""
    counts = parse(outcome)
    lines = [PHRASES[key](counts[key]) % {"n": count(counts[key])} for key in PHRASES if counts.get(key)]
    other = sum(n for key, n in counts.items() if key not in PHRASES)
    if other:
        lines.append(ngettext("%(n)s other record about the person deleted",
                              "%(n)s other records about the person deleted", other) % {"n": count(other)})
    if not lines:
        lines.append(_("Nothing was stored about the person beyond the record itself."))
    return lines
