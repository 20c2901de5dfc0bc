"""``kundebase serve [--host H] [--port P] [--workers N] [--drain S] [--no-worker]``: the production server
(gunicorn) with static files, and the background-task worker beside it.

N worker processes share nothing but the database: each has its own connections and its own 1/N share of the
per-token rate limit.  On SIGTERM each worker first drains — ``/ready`` answers 503 while every other request
is still served — for ``--drain`` seconds, so a load balancer polling ``/ready`` stops sending it traffic,
then stops accepting and finishes the requests it has.  Requests are never cut off by a stop.
"""

from __future__ import annotations

import math
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
        parser.add_argument("--drain", type=float, default=0.0,
                            help="seconds a stopping worker keeps serving while /ready says 503 (default 0)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not 0 < opts["port"] < 65536:
            raise CommandError("--port must be between 1 and 65535")
        if not 1 <= opts["workers"] <= 64:
            raise CommandError("--workers must be between 1 and 64")
        if not 0 <= opts["drain"] <= 600:
            raise CommandError("--drain must be between 0 and 600 seconds")
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("the database is not migrated; run: kundebase migrate")
        from gunicorn.app.base import BaseApplication

        from kundebase.offers import ratelimit
        from kundebase.wsgi import application

        ratelimit.share_among(opts["workers"])  # the workers are forked from this process and inherit it
        drain = float(opts["drain"])
        bind = f"[{opts['host']}]:{opts['port']}" if ":" in opts["host"] else f"{opts['host']}:{opts['port']}"

        class App(BaseApplication):
            def load_config(self) -> None:
                self.cfg.set("bind", bind)
                self.cfg.set("workers", opts["workers"])
                self.cfg.set("threads", opts["threads"])
                self.cfg.set("accesslog", "-" if settings.DEBUG else None)
                self.cfg.set("timeout", 120)
                self.cfg.set("graceful_timeout", math.ceil(drain) + 30)
                self.cfg.set("post_worker_init", _drain_on_term(drain))

            def load(self) -> Any:
                return application

        self.stderr.write(f"Kundebase listening on http://{opts['host']}:{opts['port']}/")
        worker = None if opts["no_worker"] else start_task_worker()
        from django.urls import get_resolver

        from kundebase.core import heap

        get_resolver().url_patterns  # noqa: B018 — every view module imported now, before the workers fork
        heap.settle()
        heap.freeze_when_warm()  # counted in each worker: the server process itself answers no request
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


def _drain_on_term(seconds: float) -> Any:
    """A gunicorn ``post_worker_init`` hook: SIGTERM marks the worker not ready and stops it ``seconds`` later.

    gunicorn's own SIGTERM handling stops accepting at once; the hook puts the drain in front of it.  A second
    SIGTERM during the drain changes nothing; SIGINT and SIGQUIT still stop at once.
    """

    def hook(worker: Any) -> None:
        import signal
        import threading

        from kundebase.core import readiness

        def on_term(signum: int, frame: Any) -> None:
            if readiness.shutting_down():
                return
            readiness.begin_shutdown()
            timer = threading.Timer(seconds, worker.handle_exit, (signum, None))
            timer.daemon = True
            timer.start()

        if seconds > 0:
            signal.signal(signal.SIGTERM, on_term)
            signal.siginterrupt(signal.SIGTERM, False)  # as gunicorn's own: a stop never breaks a request

    return hook
