"""How a person's full name is written: in the order the person's own language writes it.

Hungarian puts the family name first (Nagy István); the other languages a customer may prefer put
it last.  The order follows the person, not the reader: a Hungarian customer is Nagy István on
every screen, and a Norwegian one stays Kari Nordmann when a Hungarian colleague looks.  The name is
stored as the customer's ``display_name`` (and folded into ``search_name``), so lists, search, exports
and the API all show one order, set wherever a person's name or preferred language is written.

Kept free of models so that the demo generator and the services derive the name the same way.
"""

from __future__ import annotations

#: Languages (ISO 639-1) whose names are written family name first.
FAMILY_NAME_FIRST = frozenset({"hu"})


def family_name_first(language: str | None) -> bool:
    """Whether a person whose preferred language is ``language`` writes the family name first."""
    return (language or "").lower().split("-")[0] in FAMILY_NAME_FIRST


def person_name(given_name: str, family_name: str, language: str | None = "") -> str:
    """The full name shown for a person: ``given family``, or ``family given`` in Hungarian."""
    parts = (family_name, given_name) if family_name_first(language) else (given_name, family_name)
    return " ".join(p.strip() for p in parts if p and p.strip())
