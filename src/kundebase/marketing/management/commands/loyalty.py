"""``kundebase loyalty expire``: write off points past their expiry date (idempotent; schedule it daily)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kundebase.marketing import loyalty


class Command(BaseCommand):
    help = "Expire loyalty points that reached their expiry date (first in, first out)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["expire"])

    def handle(self, *args: Any, **opts: Any) -> None:
        self.stdout.write(json.dumps(loyalty.run_expiry()))
