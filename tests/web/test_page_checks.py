"""The every-page checks can fail: what they flag and what they leave alone, on known texts."""

from __future__ import annotations

from django.utils import translation

from tests.web.page_checks import raw_codes, untranslated


def test_an_english_message_on_a_norwegian_page_is_flagged() -> None:
    with translation.override("nb"):
        found = untranslated([("Customers", "", "h1"), ("Kunder", "", "h1")], "nb")
    assert found == ["Customers (in h1)"]


def test_a_word_that_is_the_language_s_own_translation_is_not_flagged() -> None:
    # Danish "By" translates "City"; the same letters are also an English message ("By"), which is not the case.
    found = untranslated([("By", "", "th"), ("Customers", "en", "span")], "da")
    assert found == []


def test_codes_in_the_text_are_flagged_and_code_markup_is_the_callers_to_skip() -> None:
    assert raw_codes([("Why: no_consent", "", "td")]) == ["no_consent (in td)"]
    assert raw_codes([("No consent recorded", "", "td")]) == []
