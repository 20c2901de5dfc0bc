"""The documentation keeps up with the code: the commands, options and API routes described in docs/ exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
COMMANDS = {"createuser": "kundebase.core", "serve": "kundebase.core", "demo": "kundebase.parties",
            "process_events": "kundebase.ingest", "tokens": "kundebase.core"}
ROUTERS = ("kundebase.core.api", "kundebase.core.tokens_api", "kundebase.parties.api", "kundebase.interactions.api",
           "kundebase.orders.api", "kundebase.sales.api")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_of_the_command_is_documented(name):
    from importlib import import_module

    from django.core.management.base import CommandParser

    text = (DOCS / "cli.md").read_text()
    assert f"`kundebase {name}" in text
    command = import_module(f"{COMMANDS[name]}.management.commands.{name}").Command()
    parser = CommandParser(prog=name)
    command.add_arguments(parser)
    parsers, options = [parser], []
    while parsers:  # the command's own options and those of its subcommands (``tokens list --json``)
        current = parsers.pop()
        for action in current._actions:
            options += [opt for opt in action.option_strings if opt.startswith("--") and opt != "--help"]
            if isinstance(action.choices, dict):  # a subcommand's own parser
                parsers += list(action.choices.values())
    assert options
    missing = [opt for opt in options if opt not in text]
    assert not missing, f"docs/cli.md does not describe {missing} of kundebase {name}"


def test_every_route_is_in_the_api_overview():
    from importlib import import_module

    text = (DOCS / "api.md").read_text()
    mentioned = " ".join(re.findall(r"`([^`]*)`", text))
    missing = []
    for module in ROUTERS:
        router = import_module(module).router
        for path in router.path_operations:
            root = "/" + path.strip("/").split("/")[0]
            if root not in mentioned:
                missing.append(path)
    assert not missing, f"docs/api.md does not mention {missing}"
