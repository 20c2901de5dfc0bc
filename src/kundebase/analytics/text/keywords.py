"""Key phrases of a text with YAKE, using the stop words of the text's own language.

YAKE is unsupervised and needs no model: it scores candidate phrases by position, frequency
and context spread, and ships stop-word lists for all six of our languages.
"""

from __future__ import annotations

from functools import lru_cache

import yake

YAKE_LANGUAGE = {"nb": "no", "da": "da", "sv": "sv", "de": "de", "hu": "hu", "en": "en"}
MAX_WORDS = 3
MAX_CHARS = 5000
"""Longer texts are cut: the opening of an e-mail carries its subject, and YAKE is quadratic-ish in length."""


@lru_cache(maxsize=16)
def _extractor(language: str, top: int) -> yake.KeywordExtractor:
    return yake.KeywordExtractor(lan=YAKE_LANGUAGE.get(language, "en"), n=MAX_WORDS, dedupLim=0.8, top=top)


def extract(text: str, language: str, top: int = 8) -> list[tuple[str, float]]:
    """``(phrase, score)`` best first (lower YAKE score = more relevant); phrases lower-cased."""
    text = (text or "").strip()[:MAX_CHARS]
    if not text:
        return []
    seen: set[str] = set()
    out: list[tuple[str, float]] = []
    for phrase, score in _extractor(language, top).extract_keywords(text):
        key = phrase.lower()
        if key not in seen and any(ch.isalpha() for ch in key):
            seen.add(key)
            out.append((key, float(score)))
    return out
