"""From words to product categories: a multilingual term table per category.

A category is inferred when one of its terms occurs in a text.  Terms are matched as
lower-case substrings, which suits the compounding languages (``varmepumpen``,
``Wärmepumpenanlage``, ``hőszivattyúnk``) without a stemmer per language.  The table is
keyed by category slug; a category in the catalogue that is not in the table is still
found by its own name.  Installations extend ``CATEGORY_TERMS`` from an ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Iterable

from kundebase.core.identifiers import fold

CATEGORY_TERMS: dict[str, dict[str, list[str]]] = {
    "heat-pumps": {
        "nb": ["varmepumpe", "luft-til-luft", "luft til vann", "bergvarme"],
        "da": ["varmepumpe", "jordvarme"],
        "sv": ["värmepump", "bergvärme", "luftvärmepump"],
        "de": ["wärmepumpe", "waermepumpe"],
        "hu": ["hőszivattyú", "hoszivattyu"],
        "en": ["heat pump", "heat-pump"],
    },
    "solar-panels": {
        "nb": ["solcelle", "solpanel"],
        "da": ["solcelle", "solpanel"],
        "sv": ["solpanel", "solcell"],
        "de": ["photovoltaik", "solarmodul", "solaranlage", "pv-anlage"],
        "hu": ["napelem", "napkollektor"],
        "en": ["solar panel", "photovoltaic", "solar pv"],
    },
    "ev-chargers": {
        "nb": ["ladeboks", "ladestasjon", "elbillader"],
        "da": ["ladestander", "ladeboks", "elbiloplader"],
        "sv": ["laddbox", "laddstation", "laddstolpe"],
        "de": ["wallbox", "ladestation", "ladesäule"],
        "hu": ["töltő", "töltőállomás", "wallbox"],
        "en": ["home charger", "ev charger", "charging point", "wallbox"],
    },
    "batteries": {
        "nb": ["batteri", "strømlager"],
        "da": ["batteri", "batterilager"],
        "sv": ["batteri", "energilager"],
        "de": ["stromspeicher", "batteriespeicher", "akku"],
        "hu": ["akkumulátor", "energiatároló"],
        "en": ["home battery", "battery storage", "battery"],
    },
    "service-agreements": {
        "nb": ["serviceavtale", "vedlikeholdsavtale"],
        "da": ["serviceaftale"],
        "sv": ["serviceavtal"],
        "de": ["wartungsvertrag", "servicevertrag"],
        "hu": ["karbantartási szerződés", "szervizszerződés"],
        "en": ["service agreement", "maintenance contract", "service plan"],
    },
}


def terms_for(slug: str, name: str = "") -> list[str]:
    """All terms of a category in every language, plus its own name."""
    terms = [t for words in CATEGORY_TERMS.get(slug, {}).values() for t in words]
    if name:
        terms.append(name)
    return sorted({t.lower() for t in terms if t.strip()})


def matching_categories(text: str, categories: Iterable[tuple[int, str, str]]) -> list[int]:
    """Ids of the categories ``(id, slug, name)`` whose terms occur in ``text``."""
    lowered = (text or "").lower()
    folded = fold(lowered)
    found = []
    for category_id, slug, name in categories:
        for term in terms_for(slug, name):
            if term in lowered or fold(term) in folded:
                found.append(category_id)
                break
    return found
