"""``kundebase serve [--host H] [--port P] [--workers N] [--no-worker]``: the production server (gunicorn) with
static files, and the background-task worker beside it."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Serve the web application and the API with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--no-worker", action="store_true",
                            help="do not start the background-task worker (run `kundebase worker` yourself)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not 0 < opts["port"] < 65536:
            raise CommandError("--port must be between 1 and 65535")
        if not 1 <= opts["workers"] <= 64:
            raise CommandError("--workers must be between 1 and 64")
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("the database is not migrated; run: kundebase migrate")
        from gunicorn.app.base import BaseApplication

        from kundebase.wsgi import application

        bind = f"[{opts['host']}]:{opts['port']}" if ":" in opts["host"] else f"{opts['host']}:{opts['port']}"

        class App(BaseApplication):
            def load_config(self) -> None:
                self.cfg.set("bind", bind)
                self.cfg.set("workers", opts["workers"])
                self.cfg.set("threads", opts["threads"])
                self.cfg.set("accesslog", "-" if settings.DEBUG else None)
                self.cfg.set("timeout", 120)

            def load(self) -> Any:
                return application

        self.stderr.write(f"Kundebase listening on http://{opts['host']}:{opts['port']}/")
        worker = None if opts["no_worker"] else start_task_worker()
        try:
            App().run()
        finally:
            stop_task_worker(worker)


def start_task_worker() -> subprocess.Popen[bytes] | None:
    """Start ``kundebase worker`` beside the web server, so that one command runs all of Kundebase.

    A process of its own (not threads of a web worker): background work shares no interpreter lock with the
    requests, and it stops when the server does (``--parent``: even when the server is killed).
    """
    from kundebase.core.tasks import uses_database

    if not uses_database():
        return None
    return subprocess.Popen([sys.executable, "-m", "kundebase", "worker", "--parent", str(os.getpid())])


def stop_task_worker(worker: subprocess.Popen[bytes] | None) -> None:
    """Stop the worker: it finishes (or puts back in the queue) the tasks it is running."""
    if worker is None or worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
