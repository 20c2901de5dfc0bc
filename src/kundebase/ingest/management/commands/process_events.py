"""``kundebase process_events [--follow]``: work the event queue, once or as a dedicated worker process.

Without ``--follow`` it drains the queue and exits (after a restart, or from cron).  With ``--follow`` it keeps
running and picks up new events as they arrive: the worker to run beside ``kundebase serve`` with
``KUNDEBASE_EVENT_PROCESSING=off``, so that turning events into customers runs in a process of its own (one
Python process holds one interpreter lock: a processing thread inside a server process shares it with the
requests) and processing and serving can be sized and restarted separately.
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from kundebase.ingest import event_queue, events


class Command(BaseCommand):
    help = "Process stored tracking events that are still waiting; with --follow, keep processing new ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--follow", action="store_true",
                            help="keep running and process events as they arrive (stop with SIGTERM or Ctrl-C)")
        parser.add_argument("--interval", type=float, default=0.5,
                            help="with --follow: seconds to wait before looking again when the queue is empty "
                                 "(on PostgreSQL the event API wakes the worker at once when events arrive)")
        parser.add_argument("--batch", type=int, default=None,
                            help="events claimed and processed as one batch (1–10,000; by default 1,000 on "
                                 "PostgreSQL, 500 on SQLite)")

    def handle(self, *args: Any, **opts: Any) -> None:
        batch = events.worker_batch() if opts["batch"] is None else opts["batch"]
        interval = opts["interval"]
        if not 1 <= batch <= 10_000:
            raise CommandError("--batch must be between 1 and 10,000")
        if not 0.01 <= interval <= 3600:
            raise CommandError("--interval must be between 0.01 and 3600 seconds")
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        if opts["follow"]:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        total = 0
        while not stopping:
            try:
                done = events.process(limit=batch, batch_size=batch)
            except Exception as exc:  # a database restart must not end the worker; the events stay queued
                if not opts["follow"]:
                    raise
                events.log.exception("event processing failed; retrying")
                self.stderr.write(f"event processing failed ({exc}); retrying")
                connections.close_all()
                time.sleep(interval)
                continue
            total += done
            if done and opts["follow"]:
                self.stdout.write(f"{total} events processed")
                self.stdout.flush()
            if not done:
                if not opts["follow"]:
                    break
                deadline = time.monotonic() + interval
                while not stopping and time.monotonic() < deadline:  # a second at most between looks at stopping
                    pause = min(1.0, max(0.0, deadline - time.monotonic()))
                    try:
                        if event_queue.wait_for_events(pause):
                            break
                    except Exception:  # noqa: BLE001 - the database went away: the next round reconnects or reports
                        connections.close_all()
                        time.sleep(pause)
        self.stdout.write(f"{total} events processed")
