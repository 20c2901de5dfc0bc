"""Screening free text for special-category content (GDPR Art. 9 and 10).

The screen is a lexicon, not a model: every finding names the exact words that triggered it, so the person
entering the text can see why and rephrase, and a data protection officer can read and amend the vocabulary.
All six lexicons are applied to every text (Scandinavian notes mix spellings, and an English diagnosis inside
a German note is common); the detected language is only reported.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from kundebase.privacy.screen.lexicon_continental import DE, EN, HU
from kundebase.privacy.screen.lexicon_everyday import EVERYDAY, EXCLUDE
from kundebase.privacy.screen.lexicon_nordic import DA, NO, SV


def _with_everyday(lang: str, base: dict[str, Any]) -> dict[str, Any]:
    """A base lexicon with the everyday wording of its language (membership cues, medicines) added."""
    terms = {category: list(patterns) for category, patterns in base["terms"].items()}
    for category, patterns in EVERYDAY.get(lang, {}).items():
        terms.setdefault(category, []).extend(patterns)
    return {**base, "terms": terms, "exclude": [*base["exclude"], *EXCLUDE.get(lang, [])]}


LEXICONS: dict[str, dict[str, Any]] = {lang: _with_everyday(lang, base) for lang, base in
                                       {"nb": NO, "da": DA, "sv": SV, "de": DE, "hu": HU, "en": EN}.items()}

CATEGORIES: dict[str, str] = {
    "ethnic": "racial or ethnic origin",
    "political": "political opinions",
    "religion": "religious or philosophical beliefs",
    "union": "trade-union membership",
    "genetic": "genetic data",
    "biometric": "biometric data",
    "health": "health (including substance abuse)",
    "sexual": "sex life or sexual orientation",
    "criminal": "criminal suspicions, charges or convictions (Art. 10)",
}
"""The Art. 9/10 categories the screen knows, with the wording shown to users."""

MAX_TEXT = 200_000
SEPARATOR = r"[\s\-]+"
"""What a space in a lexicon pattern stands for."""


@dataclass(frozen=True)
class Finding:
    """One trigger: the word(s) found, the category, where in the text, and which lexicon knew it."""

    word: str
    category: str
    start: int
    end: int
    language: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _inner(pattern: str) -> str:
    inner = (pattern[1:] if pattern.startswith("~") else pattern).replace(" ", SEPARATOR)
    return f"(?:{inner})" + r"(?!\w)"


def _wrap(pattern: str) -> str:
    """A pattern as a free-standing regex (word start required unless it may begin inside a compound)."""
    return ("" if pattern.startswith("~") else r"(?<!\w)") + _inner(pattern)


Rule = tuple[str, str, "re.Pattern[str] | None", "re.Pattern[str] | None"]


@lru_cache(maxsize=1)
def _compiled() -> tuple[list[Rule], re.Pattern[str]]:
    """Per language and category: one regex tried only at word starts (fast), one scanned everywhere for the
    few stems that may sit inside a compound."""
    rules: list[Rule] = []
    excludes: list[str] = []
    for lang, lexicon in LEXICONS.items():
        for category, patterns in lexicon["terms"].items():
            if category not in CATEGORIES:
                raise ValueError(f"unknown category {category} in lexicon {lang}")
            anchored = [_inner(p) for p in patterns if not p.startswith("~")]
            inside = [_inner(p) for p in patterns if p.startswith("~")]
            rules.append((lang, category, re.compile("|".join(anchored)) if anchored else None,
                          re.compile("|".join(inside)) if inside else None))
        excludes.extend(_wrap(p) for p in lexicon["exclude"])
    return rules, re.compile("|".join(excludes))


_WORD_START = re.compile(r"(?<!\w)\w")


def _normalise(text: str) -> str:
    """NFC and lower case, keeping every character in place so offsets point into the original text."""
    text = unicodedata.normalize("NFC", text)
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else "".join(ch.lower()[:1] or ch for ch in text)


def detect_language(text: str) -> str:
    """The lexicon language whose function words occur most often ("" when none occurs)."""
    words = re.findall(r"\w+", _normalise(text))
    best, best_score = "", 0
    for lang, lexicon in LEXICONS.items():
        score = sum(1 for w in words if w in lexicon["stop"])
        if score > best_score:
            best, best_score = lang, score
    return best


def screen_text(text: str) -> list[Finding]:
    """Every special-category trigger in ``text``, in order of position (one per span and category).

    Import code calls this on each free-text column and quarantines the row when the list is not empty.
    Texts repeat (a shop's page titles, a campaign's subject): the answer for a short text is remembered,
    so a batch of tracking events screens each distinct title once.
    """
    if not text:
        return []
    text = str(text)
    if len(text) <= _REMEMBERED_LENGTH:
        return list(_screen_remembered(text))
    return _screen(text)


_REMEMBERED_LENGTH = 300
"""Texts up to this length are remembered; longer ones (bodies of e-mails, notes) rarely repeat."""


@lru_cache(maxsize=4096)
def _screen_remembered(text: str) -> tuple[Finding, ...]:
    return tuple(_screen(text))


def _screen(text: str) -> list[Finding]:
    source = unicodedata.normalize("NFC", text[:MAX_TEXT])
    lowered = _normalise(source)
    rules, exclude = _compiled()
    masked = exclude.sub(lambda m: " " * len(m.group(0)), lowered) if exclude.pattern else lowered
    found: dict[tuple[int, int, str], Finding] = {}
    starts = [m.start() for m in _WORD_START.finditer(masked)]
    for lang, category, anchored, inside in rules:
        spans: list[tuple[int, int]] = []
        if anchored is not None:
            for pos in starts:
                match = anchored.match(masked, pos)
                if match and match.end() > pos:
                    spans.append((pos, match.end()))
        if inside is not None:
            spans.extend((m.start(), m.end()) for m in inside.finditer(masked) if m.end() > m.start())
        for start, end in spans:
            while start > 0 and masked[start - 1].isalnum():  # a compound: report the whole word
                start -= 1
            key = (start, end, category)
            if key not in found:
                found[key] = Finding(word=source[start:end], category=category, start=start, end=end,
                                     language=lang)
    ordered = sorted(found.values(), key=lambda f: (f.start, -(f.end - f.start), f.category))
    kept: list[Finding] = []
    for finding in ordered:  # a span inside a longer span of the same category adds nothing
        if not any(k.category == finding.category and k.start <= finding.start and finding.end <= k.end
                   for k in kept):
            kept.append(finding)
    return kept


def categories(findings: list[Finding]) -> list[str]:
    """The distinct categories of a list of findings, in a stable order."""
    seen = {f.category for f in findings}
    return [c for c in CATEGORIES if c in seen]


def summary(text: str) -> dict[str, Any]:
    """The JSON line ``kundebase privacy screen`` prints for one text."""
    findings = screen_text(text)
    triggers: list[dict[str, str]] = []
    for f in findings:
        item = {"word": f.word, "category": f.category}
        if item not in triggers:
            triggers.append(item)
    return {"categories": categories(findings), "triggers": triggers, "language": detect_language(text)}
