"""Company names without their legal form, and the corporate-group rule.

``Nordisk Fisk AS``, ``NORDISK FISK A/S`` and ``Nordisk Fisk`` are one name;
the legal form is kept apart because a change of form (ApS → A/S) is not a
different company, while two subsidiaries of one group with their own
organisation numbers are different companies even if their names are close.
"""

from __future__ import annotations

from functools import lru_cache

from kundebase.matching.normalise.names import plain

LEGAL_FORMS = (
    # longest first: "gmbh & co kg" must win over "kg"
    "gmbh & co kgaa", "gmbh & co. kg", "gmbh & co kg", "gmbh u co kg", "ag & co kg", "ug haftungsbeschrankt",
    "korlatolt felelossegu tarsasag", "zartkoruen mukodo reszvenytarsasag", "nyilvanosan mukodo reszvenytarsasag",
    "beteti tarsasag", "aktieselskab", "anpartsselskab", "aksjeselskap", "allmennaksjeselskap", "aktiebolag",
    "aktiengesellschaft", "gesellschaft mit beschrankter haftung", "public limited company", "limited",
    "kgaa", "gmbh", "mbh", "ag", "kg", "ohg", "gbr", "e k", "ek", "ev", "e v", "ug",
    "kft", "zrt", "nyrt", "rt", "bt", "kkt", "ev",
    "asa", "as", "a s", "aps", "i s", "k s", "p s", "ivs", "amba", "a m b a", "smba", "fmba",
    "ab", "publ", "hb", "kb", "ek for", "ekonomisk forening",
    "ans", "da", "enk", "nuf", "sa", "ba", "sf", "iks",
    "ltd", "plc", "llp", "lp", "llc", "inc", "corp", "co", "company", "bv", "nv", "sarl", "sas", "srl", "spa",
)
_CONNECTORS = {"&": " and ", "+": " and "}
_AND_WORDS = frozenset({"og", "und", "es", "och", "and", "et"})
_STOP = frozenset({"the", "der", "die", "das"})


def _words(name: str) -> list[str]:
    text = (name or "").lower()
    for src, dst in _CONNECTORS.items():
        text = text.replace(src, dst)
    text = plain(text.replace("/", " ").replace(".", " ").replace("(", " ").replace(")", " "))
    return [w for w in text.replace("-", " ").split() if w]


_FORM_SET = frozenset(" ".join(_words(form)) for form in LEGAL_FORMS)


def split_legal_form(name: str) -> tuple[str, str]:
    """(name without legal form, legal form) — the form is taken off the end, and off the start where
    Scandinavian usage puts it first (``AS Vinmonopolet``)."""
    words = _words(name)
    form: list[str] = []
    changed = True
    while changed and len(words) > 1:
        changed = False
        for size in (5, 4, 3, 2, 1):
            if len(words) > size and " ".join(words[-size:]) in _FORM_SET:
                form = words[-size:] + form
                words = words[:-size]
                changed = True
                break
    if len(words) > 1 and words[0] in {"as", "asa", "ab", "a s"}:
        form = [words[0], *form]
        words = words[1:]
    return " ".join(words), " ".join(form)


@lru_cache(maxsize=1 << 16)
def key(name: str) -> str:
    """The comparable core of a company name: legal form, ``&``/``og``/``und``/``és`` and articles removed."""
    core, _form = split_legal_form(name)
    words = [w for w in core.split() if w not in _AND_WORDS and w not in _STOP]
    return " ".join(words)


def group_root(company_id: int, parents: dict[int, int | None]) -> int:
    """The top of a company's corporate group, given ``{company_id: parent_id}``; cycles cannot hang it."""
    seen = {company_id}
    current = company_id
    while (parent := parents.get(current)) is not None and parent not in seen:
        seen.add(parent)
        current = parent
    return current


def distinct_group_members(org_a: str, org_b: str, root_a: int | None, root_b: int | None) -> bool:
    """Two companies in one corporate group with different organisation numbers are not duplicates,
    however alike their names (``Nordisk Fisk Oslo AS`` and ``Nordisk Fisk Bergen AS``)."""
    return bool(org_a and org_b and org_a != org_b and root_a is not None and root_a == root_b)
