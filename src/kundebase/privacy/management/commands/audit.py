"""``kundebase audit verify``: walk the hash chain; exit 0 when intact, 1 with each problem on stderr."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Verify the tamper-evident audit log"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="task", required=True)
        sub.add_parser("verify", help="Detect edited, inserted or deleted audit entries")

    def handle(self, *args: Any, **options: Any) -> None:
        from kundebase.core.audit import verify

        result = verify()
        for problem in result.problems:
            self.stderr.write(problem)
        if not result.ok:
            self.stderr.write(f"audit log: {len(result.problems)} problem(s) in {result.checked} entries")
            sys.exit(1)
        self.stdout.write(f"audit log intact: {result.checked} entries verified")
