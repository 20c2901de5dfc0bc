"""Customer intelligence on the committed multilingual samples in tests/data/text/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kundebase.analytics.text import interests, keywords, language

SAMPLES = [json.loads(line) for line in
           (Path(__file__).resolve().parents[1] / "data" / "text" / "samples.jsonl").read_text("utf-8").splitlines()
           if line.strip()]


def test_samples_cover_all_six_languages() -> None:
    assert {s["lang"] for s in SAMPLES} == {"nb", "da", "sv", "de", "hu", "en"}


def test_language_detection_accuracy() -> None:
    hits = [language.detect(f"{s['subject']}. {s['body']}") == s["lang"] for s in SAMPLES]
    assert sum(hits) / len(hits) >= 0.95, [s["body"][:40] for s, ok in zip(SAMPLES, hits, strict=True) if not ok]


def test_too_short_text_is_undetermined() -> None:
    assert language.detect("ok") == ""
    assert language.detect("") == ""
    assert language.detect("12345 67890 !!!") == ""


@pytest.mark.parametrize("sample", SAMPLES, ids=[f"{s['lang']}-{i}" for i, s in enumerate(SAMPLES)])
def test_expected_keywords_are_extracted(sample: dict[str, Any]) -> None:
    phrases = [p for p, _ in keywords.extract(f"{sample['subject']}. {sample['body']}", sample["lang"], top=8)]
    for expected in sample["keywords"]:
        assert any(expected in p for p in phrases), phrases


@pytest.mark.parametrize("sample", SAMPLES, ids=[f"{s['lang']}-{i}" for i, s in enumerate(SAMPLES)])
def test_categories_inferred_from_text(sample: dict[str, Any]) -> None:
    catalogue = [(i, slug, slug.replace("-", " ")) for i, slug in enumerate(interests.CATEGORY_TERMS, start=1)]
    found = {catalogue[i - 1][1] for i in interests.matching_categories(f"{sample['subject']}. {sample['body']}",
                                                                        catalogue)}
    if sample["category"]:
        assert sample["category"] in found
    else:
        assert found == set()


def test_keywords_of_empty_and_huge_text() -> None:
    assert keywords.extract("", "nb") == []
    huge = "Varmepumpe til hytta. " * 20_000
    assert keywords.extract(huge, "nb")[0][0].startswith("varmepumpe")


def test_suggestions_written_accepted_and_dismissed(book: dict[str, int]) -> None:
    from kundebase.analytics import engine
    from kundebase.analytics.text import analysis
    from kundebase.interactions.services import log_interaction
    from kundebase.orders.models import ProductInterest
    from kundebase.orders.services import create_category
    from tests.analytics.conftest import at

    heat = create_category(name="Heat pumps")
    solar = create_category(name="Solar panels")
    assert (heat.slug, solar.slug) == ("heat-pumps", "solar-panels")
    by_lang = {s["lang"]: s for s in SAMPLES if s["category"] == "heat-pumps"}
    log_interaction(party_id=book["C"], data={"kind": "email", "channel": "email", "occurred_at": at(3, 1),
                                              "subject": by_lang["da"]["subject"], "body": by_lang["da"]["body"]})
    solar_de = next(s for s in SAMPLES if s["lang"] == "de" and s["category"] == "solar-panels")
    log_interaction(party_id=book["D"], data={"kind": "email", "channel": "email", "occurred_at": at(3, 2),
                                              "subject": solar_de["subject"], "body": solar_de["body"]})
    with engine.reading() as con:
        assert analysis.analyse_pending(con) == 7  # five complaint calls of B have a subject too
        assert analysis.suggest_interests(con) == 2
        assert analysis.suggest_interests(con) == 0  # idempotent
        langs = dict(con.execute("SELECT interaction_id, lang FROM text_docs").fetchall())
    assert sorted(v for v in langs.values() if v in {"da", "de"}) == ["da", "de"]
    suggestion = ProductInterest.objects.get(party_id=book["C"], category=heat)
    assert (suggestion.accepted, suggestion.source) == (False, "text")
    analysis.accept(interest_id=suggestion.pk)
    suggestion.refresh_from_db()
    assert suggestion.accepted
    other = ProductInterest.objects.get(party_id=book["D"], category=solar)
    analysis.dismiss(interest_id=other.pk)
    assert not ProductInterest.objects.filter(pk=other.pk).exists()
    with engine.reading() as con:
        assert analysis.suggest_interests(con) == 0  # a dismissed suggestion is not made again
