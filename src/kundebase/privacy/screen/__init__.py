"""The special-category screen: ``screen_text(text) -> list[Finding]`` for free text from every channel."""

from kundebase.privacy.screen.engine import CATEGORIES, Finding, categories, detect_language, screen_text, summary

__all__ = ["CATEGORIES", "Finding", "categories", "detect_language", "screen_text", "summary"]
