"""Personal names: Nordic, German and Hungarian letters, transliterations, nicknames and name order.

Two keys come out of a name.  ``plain`` keeps the letters (accents folded) so that
string similarity still sees a typo; ``key`` also collapses the spellings one
letter has across keyboards and borders (ø/oe/o, å/aa/a, ä/ae/a, ü/ue/u, ß/ss,
ő/ö/o), so ``Søren``, ``Soeren`` and ``Soren`` share one key.
"""

from __future__ import annotations

import csv
import re
from functools import cache, lru_cache
from pathlib import Path

from kundebase.core import identifiers
from kundebase.parties.names import split_full_name as split_full_name

NICKNAME_FILE = Path(__file__).with_name("data") / "nicknames.csv"

_TRANSLITERATED = str.maketrans({"ð": "d", "þ": "th"})
"""Icelandic letters a name key spells out (search keeps them as they are)."""
_DIGRAPHS = (("aa", "a"), ("ae", "a"), ("oe", "o"), ("ue", "u"), ("ss", "s"), ("th", "t"), ("ph", "f"))
_TITLES = frozenset({"dr", "prof", "hr", "fru", "frk", "herr", "frau", "mr", "mrs", "ms", "miss", "sir", "ifj",
                     "id", "özv", "ozv", "dipl", "ing", "med", "phil", "von", "van", "der", "de", "af", "av"})
_SPLIT = re.compile(r"[\s\-]+")


_NOT_NAME = re.compile(r"[^a-z0-9\- ]+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1 << 18)
def plain(text: str) -> str:
    """Lower case, accents folded letter by letter (``Ørjan Bæk`` → ``orjan baek``), punctuation to spaces.

    Cached: names, streets and cities repeat, and a batch prepares millions of them.
    """
    folded = identifiers.fold_letters(text).translate(_TRANSLITERATED)
    return _SPACES.sub(" ", _NOT_NAME.sub(" ", folded)).strip()


@lru_cache(maxsize=1 << 18)
def key(text: str) -> str:
    """``plain`` with the cross-border spellings collapsed, so ``Müller``/``Mueller``/``Muller`` share
    ``muler``, ``Åse``/``Aase`` share ``ase`` and ``Strauß``/``Strauss`` share ``straus``.  Double letters are
    collapsed too (``Anne``/``Ane``): typists disagree about them more than people do."""
    value = plain(text).replace("-", " ")
    for src, dst in _DIGRAPHS:
        value = value.replace(src, dst)
    return re.sub(r"(.)\1+", r"\1", value)


def tokens(text: str) -> list[str]:
    """Name parts without titles and particles (``Dr. med. Hans-Peter von Müller`` → hans, peter, muller)."""
    return [t for t in _SPLIT.split(plain(text).replace(".", " ")) if t and t not in _TITLES]


@lru_cache(maxsize=1 << 16)
def first_token(text: str) -> str:
    parts = tokens(text)
    return parts[0] if parts else ""


@cache
def _nickname_groups() -> dict[str, frozenset[int]]:
    groups: dict[str, set[int]] = {}
    with NICKNAME_FILE.open(encoding="utf-8") as fh:
        rows = [row for row in csv.reader(fh) if row and not row[0].startswith("#")]
    for number, row in enumerate(rows):
        for name in row:
            groups.setdefault(key(name.strip()), set()).add(number)
    return {name: frozenset(ids) for name, ids in groups.items()}


@lru_cache(maxsize=1 << 16)
def nickname_group(given: str) -> str:
    """A stable key for the nickname family of the first given name (``Bob`` and ``Robert`` → the same)."""
    first = key(first_token(given))
    ids = _nickname_groups().get(first)
    return f"n{min(ids)}" if ids else first


def same_person_name(a: str, b: str) -> bool:
    """True when the first given names are one name in two forms: nickname, transliteration or equal."""
    ka, kb = key(first_token(a)), key(first_token(b))
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    groups = _nickname_groups()
    return bool(groups.get(ka, frozenset()) & groups.get(kb, frozenset()))


def swapped(given_a: str, family_a: str, given_b: str, family_b: str) -> bool:
    """True when one record has given and family name the other way round (lists typed family-first)."""
    ga, fa, gb, fb = key(given_a), key(family_a), key(given_b), key(family_b)
    return bool(ga and fa) and ga == fb and fa == gb and ga != fa
