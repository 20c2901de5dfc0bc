"""``benchmarks/RESULTS.md`` holds only figures the benchmark scripts printed (issue #16).

Each section is sealed by ``benchmarks.results.record`` with a digest of its text;
RESULTS.md must be exactly the assembled sections and the notes, and the notes hold
no figures.  A number typed into RESULTS.md, into a section or into the notes fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks import results

UNSEALED: set[str] = set()
"""Sections recorded before sealing, marked as such in RESULTS.md; re-running one seals it, and then it must
leave this set (the test below fails until it does), so the set only shrinks."""
FIGURE = re.compile(r"(?<![\w.])\d")
"""A number standing on its own ("7", "0.5", "1,000"), not a digit inside a name such as FEBRL4 or p99."""


def test_results_md_is_exactly_the_assembled_sections_and_notes() -> None:
    assert (results.HERE / "RESULTS.md").read_text(encoding="utf-8") == results.assemble(), (
        "RESULTS.md was edited by hand: change the script and re-run it, or `python -m benchmarks.results`")


@pytest.mark.parametrize("path", sorted(results.RESULTS_DIR.glob("*.md")), ids=lambda p: p.stem)
def test_every_section_is_as_its_script_printed_it(path: Path) -> None:
    is_sealed = results.sealed(path.read_text(encoding="utf-8"), path.stem)
    if path.stem in UNSEALED:
        assert not is_sealed, f"{path.stem} has been re-run: remove it from UNSEALED"
    else:
        assert is_sealed, f"{path.name} was edited after `python -m benchmarks.{path.stem}` wrote it"


def test_the_notes_hold_no_figures() -> None:
    text = results.NOTES.read_text(encoding="utf-8")
    assert text.startswith("## Notes\n")
    assert FIGURE.findall(text) == [], [line for line in text.splitlines() if FIGURE.search(line)]


def test_a_figure_typed_into_a_recorded_section_breaks_its_seal(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results, "HERE", tmp_path)
    monkeypatch.setattr(results, "RESULTS_DIR", tmp_path / "results")
    monkeypatch.setattr(results, "NOTES", tmp_path / "NOTES.md")
    path = results.record("sample", "Sample", "| measure | value |\n|---|---:|\n| rows/s | 1,234 |")
    text = path.read_text(encoding="utf-8")
    assert results.sealed(text, "sample")
    assert not results.sealed(text, "other")
    assert not results.sealed(text.replace("1,234", "2,234"), "sample")
    assert not results.sealed(text.replace("| rows/s | 1,234 |", "| rows/s | 1,234 |\n\nAbout 5 % faster."),
                              "sample")
    assembled = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert "1,234" in assembled and "recorded before sections were sealed" not in assembled
    path.write_text(text.replace("1,234", "2,234"), encoding="utf-8")
    assert "recorded before sections were sealed" in results.assemble()
