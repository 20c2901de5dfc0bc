"""The documentation keeps up with the code, both ways: every `kundebase` command, API route and
``KUNDEBASE_*`` setting that exists is documented, and everything the docs name exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SRC = ROOT / "src" / "kundebase"


def docs_text() -> dict[str, str]:
    pages = {p.name: p.read_text() for p in sorted(DOCS.glob("*.md"))}
    pages["README.md"] = (ROOT / "README.md").read_text()
    return pages


def our_commands() -> dict[str, str]:
    """``kundebase`` command → the app that owns it (Django's own commands are Django's to document)."""
    from django.core.management import get_commands

    return {name: app for name, app in get_commands().items() if app.startswith("kundebase.")}


def command_options(name: str, app: str) -> list[str]:
    """Every ``--option`` of the command, those of its sub-commands included."""
    from django.core.management import load_command_class
    from django.core.management.base import CommandParser

    command = load_command_class(app, name)
    parser = CommandParser(prog=name)
    command.add_arguments(parser)
    options: list[str] = []
    parsers = [parser]
    while parsers:
        current = parsers.pop()
        for action in current._actions:
            options += [opt for opt in action.option_strings if opt.startswith("--") and opt != "--help"]
            choices = getattr(action, "choices", None)
            if isinstance(choices, dict):
                parsers += [p for p in choices.values() if hasattr(p, "_actions")]
    return sorted(set(options))


def test_every_command_is_in_the_command_line_reference():
    text = (DOCS / "cli.md").read_text()
    missing = [name for name in our_commands() if f"`kundebase {name}" not in text]
    assert not missing, f"docs/cli.md does not describe kundebase {missing}"


@pytest.mark.parametrize("name", sorted(our_commands()))
def test_every_option_of_the_command_is_documented(name):
    pages = [text for text in docs_text().values() if f"kundebase {name}" in text]
    options = command_options(name, our_commands()[name])
    missing = [opt for opt in options if not any(re.search(re.escape(opt) + r"(?![\w-])", t) for t in pages)]
    assert not missing, f"the docs that describe kundebase {name} do not mention its options {missing}"


def test_every_documented_command_exists():
    from django.core.management import get_commands

    commands = set(get_commands()) | {"help"}
    named = {m for text in docs_text().values() for m in re.findall(r"`kundebase ([a-z_]+)", text)}
    unknown = sorted(named - commands)
    assert not unknown, f"the docs name commands that do not exist: kundebase {unknown}"


def route_key(path: str) -> str:
    """``/api/v1/persons/{party_id}`` and ``/persons/{id}`` are the same route for the docs."""
    path = path.split("?")[0].rstrip("/.,")
    path = path.removeprefix("/api/v1")
    return re.sub(r"\{[^}]*\}|<[^>]*>", "{}", path) or "/"


def api_routes() -> dict[str, set[str]]:
    """route key → its methods, from the OpenAPI document the server publishes."""
    from kundebase.api import api

    routes: dict[str, set[str]] = {}
    for path, operations in api.get_openapi_schema()["paths"].items():
        routes.setdefault(route_key(path), set()).update(m.upper() for m in operations)
    return routes


PATH = r"/[A-Za-z0-9_{}<>|\-/\[\].]*"
METHOD = r"(?:GET|POST|PUT|PATCH|DELETE)(?:/(?:GET|POST|PUT|PATCH|DELETE))*"


def documented_paths() -> set[str]:
    """The route keys the docs name: ``/api/v1/…`` anywhere, ``METHOD /…`` in any code span, and any ``/…``
    path in a code span of the API page.

    The shorthand ``/parties/{id}/contact-points[/{cp}]`` names both routes; ``…/redeem`` after a route in
    a preceding code span continues that route's path."""
    found: set[str] = set()
    for name, text in docs_text().items():
        last = ""
        paragraphs = re.split(r"\n\s*\n", text.replace("```", "\n\n"))
        for span in (" ".join(s.split()) for p in paragraphs for s in re.findall(r"`([^`]+)`", p)):
            pattern = rf"(?:/api/v1{PATH}|{METHOD}\s+{PATH}|(?:…|\.\.\.){PATH}" + (
                rf"|{PATH})" if name == "api.md" else ")")
            for raw in re.findall(pattern, span):
                raw = re.sub(rf"^{METHOD}\s+", "", raw)
                if raw.startswith(("…", "...")):
                    # ``…/redeem`` after ``/loyalty/members/{id}``; ``…/dismiss`` after ``…/{id}/accept``.
                    tail = raw.lstrip("…./")
                    found.update({route_key(f"{last}/{tail}"), route_key(f"{last.rsplit('/', 1)[0]}/{tail}")})
                    continue
                for variant in expand(raw):
                    key = route_key(variant)
                    if key != "/":
                        found.add(key)
                last = route_key(raw.replace("[", "").replace("]", ""))
    return found


def expand(path: str) -> list[str]:
    """``/a[/{b}]`` → ``/a`` and ``/a/{b}``."""
    match = re.search(r"\[([^\[\]]*)\]", path)
    if not match:
        return [path]
    head, tail = path[:match.start()], path[match.end():]
    return expand(head + tail) + expand(head + match.group(1) + tail)


def test_every_route_is_documented():
    documented = documented_paths()
    missing = sorted(key for key in api_routes() if key not in documented)
    assert not missing, f"no doc names the API routes {missing}"


def test_every_documented_route_exists():
    routes = api_routes()
    web = {"/v1/batch", "/v1/identify", "/v1/track", "/v1/page", "/v1/screen", "/v1/group", "/v1/alias"}
    text = " ".join(docs_text().values())
    named = {route_key(m) for m in re.findall(rf"/api/v1({PATH})", text)}
    unknown = sorted(key for key in named if key not in set(routes) | web | {"/", "/docs", "/openapi.json"})
    assert not unknown, f"the docs name API routes that do not exist: {unknown}"


def settings_read() -> set[str]:
    names: set[str] = set()
    for path in SRC.rglob("*.py"):
        names.update(re.findall(r"\bKUNDEBASE_[A-Z][A-Z_]*[A-Z]\b", path.read_text()))
    # Django settings that merely carry a value read from the environment under the same name.
    from django.conf import settings

    return {n for n in names if not (hasattr(settings, n) and n not in ENVIRONMENT_ONLY and not _from_env(n))}


ENVIRONMENT_ONLY = {"KUNDEBASE_DEBUG_CLI"}


def _from_env(name: str) -> bool:
    config = (SRC / "config.py").read_text() + (SRC / "cli.py").read_text()
    return f'"{name}"' in config


def test_every_setting_is_documented_and_every_documented_setting_exists():
    documented = set(re.findall(r"`(KUNDEBASE_[A-Z_]+)`", (DOCS / "settings.md").read_text()))
    read = settings_read()
    assert not read - documented, f"docs/settings.md does not describe {sorted(read - documented)}"
    everywhere = " ".join(docs_text().values())
    named = set(re.findall(r"\bKUNDEBASE_[A-Z][A-Z_]*[A-Z]\b", everywhere))
    # Variables of the test suite, the benchmarks and the examples, documented where those are.
    for folder in (ROOT / "tests", ROOT / "benchmarks", ROOT / "examples"):
        for path in folder.rglob("*.py"):
            read |= set(re.findall(r"\bKUNDEBASE_[A-Z][A-Z_]*[A-Z]\b", path.read_text()))
    assert not named - read, f"the docs name settings that nothing reads: {sorted(named - read)}"
