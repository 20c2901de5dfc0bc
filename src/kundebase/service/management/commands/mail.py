"""``kundebase mail``: fetch new messages from every active mailbox, once or on and on."""

from __future__ import annotations

import argparse
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kundebase.service import fetching
from kundebase.service.models import Mailbox


class Command(BaseCommand):
    help = "Fetch new e-mail from the configured mailboxes into the timeline and the cases."

    def add_arguments(self, parser: Any) -> None:
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--once", action="store_true", help="Fetch once from every mailbox and stop.")
        mode.add_argument("--follow", action="store_true", help="Keep fetching every --interval seconds.")
        parser.add_argument("--mailbox", help="Only this mailbox (by name).")
        parser.add_argument("--interval", type=float, default=60.0, help="Seconds between rounds (--follow).")
        parser.add_argument("--attempts", type=int, default=3, help="Tries per mailbox before giving up a round.")
        parser.add_argument("--rounds", type=int, default=0, help=argparse.SUPPRESS)

    def _boxes(self, name: str | None) -> list[Mailbox]:
        qs = Mailbox.objects.filter(active=True)
        if name:
            qs = qs.filter(name=name)
            if not qs.exists():
                raise CommandError(f"no active mailbox named {name!r}")
        return list(qs)

    def _round(self, name: str | None, attempts: int) -> int:
        failed = 0
        for box in self._boxes(name):
            result = fetching.fetch_with_retry(box, attempts=attempts)
            if result.error:
                failed += 1
                self.stderr.write(f"{box.name}: mailbox down: {result.error}")
            else:
                self.stdout.write(f"{box.name}: {result.stored} new, {result.skipped} already stored")
        return failed

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            if self._round(options["mailbox"], options["attempts"]):
                raise CommandError("some mailboxes could not be read; they are tried again next time")
            return
        rounds = 0
        while True:
            self._round(options["mailbox"], options["attempts"])
            rounds += 1
            if options["rounds"] and rounds >= options["rounds"]:
                return
            time.sleep(options["interval"])

