"""Street names, house numbers and postcodes as the post offices of our countries write them.

``Storgata 12B``, ``Storgt. 12 b`` and ``Storgaten 12b`` are one address; so are
``Hauptstraße 5a`` and ``Hauptstr. 5 A`` and ``Fő utca 12/A`` and ``Fő u. 12. A``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kundebase.matching.normalise.names import plain

_SUFFIXES = (
    # (pattern on the folded street word, canonical ending, may end a compound word such as "Storgt")
    (r"(gt|gata|gaten|gate|gade|gatan)$", "gate", True),
    (r"(vn|vei|veien|veg|vegen|vej|vejen|vagen|vag)$", "vei", True),
    (r"(str|strasse|strase)$", "strasse", True),
    (r"(u|utca)$", "utca", False),
    (r"(pl|plass|plassen|plads|pladsen|platz)$", "plass", True),
    (r"(ter|tere)$", "ter", False),
    (r"(alle|allee|alleen|ale|alen)$", "alle", True),
    (r"(rd|road)$", "road", False),
    (r"(st|street)$", "street", False),
    (r"(ave|avenue)$", "avenue", False),
    (r"(krt|korut)$", "korut", False),
    (r"(ut|utja)$", "ut", False),
)
_SUFFIX_RES = [(re.compile(p), c, compound) for p, c, compound in _SUFFIXES]
_ABBREVIATED_VEI = re.compile(r"(\w{3,})v\.")
_HOUSE = re.compile(r"(\d+)\s*[./-]?\s*([a-z])?\b\.?")


def _collapse(word: str) -> str:
    """``Jaernvaegsvaegen`` and ``Järnvägsvägen`` alike: the spellings of ä/ö/ü/å without the letter."""
    for src, dst in (("aa", "a"), ("ae", "a"), ("oe", "o"), ("ue", "u")):
        word = word.replace(src, dst)
    return word


def _canonical_word(word: str) -> str:
    for pattern, canonical, compound in _SUFFIX_RES:
        if pattern.fullmatch(word):
            return canonical
        match = pattern.search(word) if compound else None
        if match and match.start() >= 3:
            return word[: match.start()] + canonical
    return word


@lru_cache(maxsize=1 << 18)
def split_street(street: str) -> tuple[str, str, str]:
    """(street name key, house number, house letter) from one street line.

    ``Storgt. 12 B`` → ("storgate", "12", "b"); ``Fő u. 12/A`` → ("fo utca", "12", "a");
    ``Hauptstraße 5a`` → ("hauptstrasse", "5", "a"); a number in front (``12 Main Street``) is found too.
    """
    text = _ABBREVIATED_VEI.sub(r"\1vei ", (street or "").lower())
    text = plain(text.replace("ß", "ss").replace("/", " / ")).replace("-", " ")
    match = _HOUSE.search(text)
    number = letter = ""
    if match:
        number, letter = match.group(1), match.group(2) or ""
        text = (text[: match.start()] + " " + text[match.end():]).replace(" / ", " ")
    return _street_name(text), number, letter


@lru_cache(maxsize=1 << 16)
def _street_name(text: str) -> str:
    """The canonical words of a street line without its number: a few thousand streets, a million lines."""
    return " ".join(_canonical_word(_collapse(w)) for w in text.replace("/", " ").split() if w)


def street_key(street: str) -> str:
    name, number, letter = split_street(street)
    return f"{name} {number}{letter}".strip()


_POSTCODE_PREFIX = re.compile(r"^(n|no|dk|d|de|h|hu|s|se|a|at|ch|gb|uk)[\s-]+", re.I)


@lru_cache(maxsize=1 << 16)
def postcode(value: str, country: str = "") -> str:
    """Postcodes without the country prefix and spaces (``N-0155`` → ``0155``, ``SE-114 55`` → ``11455``);
    British codes keep their inner space (``sw1a 1aa`` → ``SW1A 1AA``)."""
    code = _POSTCODE_PREFIX.sub("", (value or "").strip())
    if (country or "").upper() in {"GB", "UK"}:
        compact = re.sub(r"\s+", "", code).upper()
        return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact
    return re.sub(r"[\s-]+", "", code).upper()


@lru_cache(maxsize=1 << 16)
def city(value: str) -> str:
    """City without district numbers (``København K``, ``Budapest V.``, ``Oslo 1``) — the postcode says that."""
    text = plain(value)
    return re.sub(r"\s+([ivxlc]+|\d+|[a-z])$", "", text)
