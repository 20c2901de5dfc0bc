"""Every message the code and templates use is translated in every language the product offers.

The messages are extracted the way the catalogues are made (Django's ``makemessages`` in each app folder),
but from a temporary copy of the package, so the test reads the code as it stands without touching the
committed catalogues. A message missing from a catalogue, left empty or marked fuzzy fails the test with its
app, language and msgid; so does a translation whose placeholders differ from the original's.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command

SRC = Path(__file__).resolve().parents[2] / "src" / "kundebase"
SOURCE_LANGUAGE = "en"
"""The msgids are English: English needs no catalogue."""


def translated_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]


def apps_with_catalogues() -> list[str]:
    return sorted(p.parent.name for p in SRC.glob("*/locale") if p.is_dir())


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Catalog]]:
    """app → the template (.pot) of every message its code and templates use, extracted from a copy."""
    copy = tmp_path_factory.mktemp("catalogues") / "kundebase"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "*.pyc"))
    here = os.getcwd()
    templates: dict[str, Catalog] = {}
    try:
        for app in apps_with_catalogues():
            os.chdir(copy / app)
            call_command("makemessages", locale=["nb"], keep_pot=True, no_obsolete=True, verbosity=0)
            pot = copy / app / "locale" / "django.pot"
            # The template's header has placeholders for the plural rule; English's rule reads it.
            pot.write_text(pot.read_text().replace("nplurals=INTEGER; plural=EXPRESSION",
                                                   "nplurals=2; plural=(n != 1)"))
            templates[app] = _read(pot)
    finally:
        os.chdir(here)
    yield templates


def test_every_app_with_text_has_catalogues() -> None:
    assert len(apps_with_catalogues()) >= 13, apps_with_catalogues()


def gaps(app: str, template: Catalog, path: Path, language: str) -> list[str]:
    """What the catalogue at ``path`` lacks of ``template``: one line per message, naming app, language, msgid."""
    if not path.exists():
        return [f"{app} [{language}]: no catalogue at {path}"]
    catalogue = _read(path, locale=language)
    problems: list[str] = []
    for message in template:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        found = catalogue.get(message.id, context=message.context)
        strings = (found.string if isinstance(found.string, tuple | list) else (found.string,)) if found else ()
        if found is None:
            problems.append(f"{app} [{language}] missing from the catalogue: {msgid!r}")
        elif found.fuzzy:
            problems.append(f"{app} [{language}] fuzzy: {msgid!r}")
        elif not strings or not all(strings):
            problems.append(f"{app} [{language}] untranslated: {msgid!r}")
        else:
            problems += [f"{app} [{language}] {msgid!r}: {error}" for error in found.check(catalogue)]
    return problems


@pytest.mark.parametrize("language", translated_languages())
def test_every_message_is_translated(extracted: dict[str, Catalog], language: str) -> None:
    problems: list[str] = []
    for app, template in extracted.items():
        problems += gaps(app, template, SRC / app / "locale" / language / "LC_MESSAGES" / "django.po", language)
    assert not problems, f"{len(problems)} messages without a translation:\n" + "\n".join(problems)


def test_each_kind_of_gap_is_named(tmp_path: Path) -> None:
    template = Catalog(locale="en")
    for msgid in ("Kept", "Missing", "Empty", "Fuzzy", "Hello %(name)s"):
        template.add(msgid, flags=("python-format",) if "%" in msgid else ())
    template.add(("%(n)s order", "%(n)s orders"), flags=("python-format",))
    path = tmp_path / "django.po"
    path.write_text('''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "Kept"
msgstr "Gemt"

msgid "Empty"
msgstr ""

#, fuzzy
msgid "Fuzzy"
msgstr "Uklar"

#, python-format
msgid "Hello %(name)s"
msgstr "Hej %(navn)s"

#, python-format
msgid "%(n)s order"
msgid_plural "%(n)s orders"
msgstr[0] "%(n)s ordre"
msgstr[1] ""
''', encoding="utf-8")
    found = "\n".join(gaps("demo", template, path, "da"))
    assert "Kept" not in found
    for line in ("demo [da] missing from the catalogue: 'Missing'", "demo [da] untranslated: 'Empty'",
                 "demo [da] fuzzy: 'Fuzzy'", "demo [da] untranslated: '%(n)s order'", "demo [da] 'Hello %(name)s'"):
        assert line in found, (line, found)
    nowhere = tmp_path / "nowhere.po"
    assert gaps("demo", template, nowhere, "da") == [f"demo [da]: no catalogue at {nowhere}"]
