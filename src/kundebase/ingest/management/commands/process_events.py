"""``kundebase process_events``: work the event queue until it is empty (e.g. after a restart, or from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kundebase.ingest import events


class Command(BaseCommand):
    help = "Process stored tracking events that are still waiting."

    def handle(self, *args: Any, **opts: Any) -> None:
        total = 0
        while True:
            done = events.process(limit=500)
            if not done:
                break
            total += done
        self.stdout.write(f"{total} events processed")
