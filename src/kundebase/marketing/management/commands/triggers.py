"""``kundebase triggers run``: evaluate the life-event rules (idempotent; schedule it daily)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kundebase.marketing import triggers


class Command(BaseCommand):
    help = "Fire life-event triggers (birthday, moved, new role, first purchase, win-back, tier change)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run"])

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write(json.dumps(triggers.run(), ensure_ascii=False))
