"""``kundebase serve [--host H] [--port P] [--workers N]``: the production server (gunicorn) with static files."""

from __future__ import annotations

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
        App().run()
