"""``kundebase worker [--threads N] [--queue NAME] [--interval S]``: run the queued background work."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kundebase.core import tasks


class Command(BaseCommand):
    help = "Run queued background work (imports, campaign sends, event processing) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--threads", type=int, default=2, help="tasks run at the same time (1–32)")
        parser.add_argument("--queue", action="append", choices=["default", "events"],
                            help="work only this queue (repeat for several; default: all)")
        parser.add_argument("--interval", type=float, default=0.5,
                            help="seconds to wait before looking again when the queue is empty")
        parser.add_argument("--parent", type=int, default=None,
                            help="stop when the process with this id is gone (how `serve` starts its worker)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not 1 <= opts["threads"] <= 32:
            raise CommandError("--threads must be between 1 and 32")
        if not 0.05 <= opts["interval"] <= 3600:
            raise CommandError("--interval must be between 0.05 and 3600 seconds")
        if not tasks.uses_database():
            raise CommandError("KUNDEBASE_TASKS=immediate runs tasks where they are enqueued: no queue to work")
        self.stderr.write(f"Kundebase worker running {opts['threads']} task(s) at a time")
        requeued = tasks.run_worker(threads=opts["threads"], queues=opts["queue"], interval=opts["interval"],
                                    parent=opts["parent"])
        self.stderr.write(f"worker stopped; {requeued} unfinished task(s) put back in the queue")
