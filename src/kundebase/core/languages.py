"""The languages the product speaks, and which of them a person's stored language is read in.

People's preferred language is stored as they gave it (``no``, ``nn``, ``da-DK``, ``sv`` …); the access
report, campaign e-mails, newsletter confirmations and service replies are written in the closest language
we have a catalogue for (``settings.LANGUAGES``), else in the installation's default language.
"""

from __future__ import annotations

from django.conf import settings

ALIASES = {"no": "nb", "nn": "nb"}
"""Stored codes read in another catalogue's language (Nynorsk and plain Norwegian read Bokmål)."""


def ui_languages() -> tuple[str, ...]:
    """The codes of the languages with a catalogue, in the order of ``settings.LANGUAGES``."""
    return tuple(code for code, _name in settings.LANGUAGES)


def language_for(preferred: str | None, default: str | None = None) -> str:
    """The catalogue language to write to someone whose stored language is ``preferred``
    (``da-DK`` → ``da``, ``nn`` → ``nb``, ``sv`` → the default, English unless given)."""
    code = (preferred or "").strip().lower().replace("_", "-").split("-")[0]
    code = ALIASES.get(code, code)
    if code in ui_languages():
        return code
    return default or "en"
