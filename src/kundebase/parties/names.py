"""How a person's full name is written: in the order the person's own language writes it.

Hungarian puts the family name first (Nagy István); the other languages a customer may prefer put
it last.  The order follows the person, not the reader: a Hungarian customer is Nagy István on
every screen, and a Norwegian one stays Kari Nordmann when a Hungarian colleague looks.  A person
with no preferred language is taken to write names as the installation's country does
(``KUNDEBASE_DEFAULT_COUNTRY``), so a Hungarian business's own customers come out right without
a language on every record.  The name is stored as the customer's ``display_name`` (and folded into
``search_name``), so lists, search, exports and the API all show one order, set wherever a person's
name or preferred language is written.

Kept free of models so that the demo generator, the services, the importer and matching write and read
names the same way.
"""

from __future__ import annotations

#: Languages (ISO 639-1) whose names are written family name first.
FAMILY_NAME_FIRST = frozenset({"hu"})
#: Countries (ISO 3166 alpha-2) where they are, for people whose language is not known.
FAMILY_NAME_FIRST_COUNTRIES = frozenset({"HU"})


def family_name_first(language: str | None) -> bool:
    """Whether a person whose preferred language is ``language`` writes the family name first.

    Without a language the installation's default country decides.
    """
    code = (language or "").strip().lower()[:2]
    if code:
        return code in FAMILY_NAME_FIRST
    from django.conf import settings

    country = getattr(settings, "KUNDEBASE_DEFAULT_COUNTRY", "") if settings.configured else ""
    return str(country or "").upper() in FAMILY_NAME_FIRST_COUNTRIES


def person_name(given_name: str, family_name: str, language: str | None = "") -> str:
    """The full name shown for a person: ``given family``, or ``family given`` in Hungarian."""
    parts = (family_name, given_name) if family_name_first(language) else (given_name, family_name)
    return " ".join(p.strip() for p in parts if p and p.strip())


def split_full_name(full: str, language: str | None = "") -> tuple[str, str]:
    """(given, family) from one text field, read in the order ``person_name`` writes for ``language``.

    ``Nordmann, Kari`` names the family first whatever the language; ``Nagy István`` is family first in
    Hungarian.  A single word is a family name.
    """
    text = (full or "").strip()
    if "," in text:
        family, given = (p.strip() for p in text.split(",", 1))
        return given, family
    parts = text.split()
    if len(parts) < 2:
        return "", text
    if family_name_first(language):
        return " ".join(parts[1:]), parts[0]
    return " ".join(parts[:-1]), parts[-1]
