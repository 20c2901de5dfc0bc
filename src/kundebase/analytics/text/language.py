"""Which language a text is in, among the ones our customers write: nb, da, sv, de, hu, en.

Lingua ships its models inside the wheel (nothing downloads at run time) and, restricted to
these six languages, tells Danish from Norwegian far better than n-gram detectors on short
e-mails.  The detector is built once per process (about a second) and reused.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

LANGUAGES = {
    Language.BOKMAL: "nb", Language.DANISH: "da", Language.SWEDISH: "sv", Language.GERMAN: "de",
    Language.HUNGARIAN: "hu", Language.ENGLISH: "en",
}
"""Lingua language → the code we store (ISO 639-1; Norwegian as Bokmål)."""

MIN_LETTERS = 12
"""Shorter texts are reported as undetermined rather than guessed."""

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    with _lock:
        return LanguageDetectorBuilder.from_languages(*LANGUAGES).with_preloaded_language_models().build()


def detect(text: str) -> str:
    """The language code of ``text``, or ``""`` when it is too short or too unclear to say."""
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return ""
    found = _detector().detect_language_of(text)
    return LANGUAGES.get(found, "") if found is not None else ""
