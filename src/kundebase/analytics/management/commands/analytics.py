"""``kundebase analytics refresh [--reconcile] [--refit] [--text]``: bring the DuckDB mirror up to date now.

Reads refresh the mirror by themselves when it is older than a couple of seconds; this command is for
the first load of a big database (with a progress bar), for cron, and to renew the lifetime-value fit.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Refresh the analytics mirror (DuckDB) from the operational database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["refresh", "reset"], help="refresh: bring up to date; reset: rebuild")
        parser.add_argument("--reconcile", action="store_true", help="compare all keys now (finds deletions)")
        parser.add_argument("--refit", action="store_true", help="fit the lifetime-value model again")
        parser.add_argument("--text", action="store_true",
                            help="analyse all new interaction texts and write interest suggestions")

    def handle(self, *args: Any, **options: Any) -> None:
        from tqdm import tqdm

        from kundebase.analytics import engine, keyfigures
        from kundebase.analytics.text import analysis

        mirror = engine.mirror()
        if options["action"] == "reset":
            mirror.reset()
        try:
            with mirror.open() as con, tqdm(desc="rows", unit=" rows", disable=None) as bar:
                stats = mirror.refresh(con, reconcile=options["reconcile"], progress=bar)
                if options["refit"]:
                    keyfigures.fit_model(con, force=True)
                analysed = suggested = 0
                if options["text"]:
                    with tqdm(desc="texts", unit=" texts", disable=None) as text_bar:
                        analysed = analysis.analyse_pending(con, limit=None, progress=text_bar)
                    suggested = analysis.suggest_interests(con)
        except Exception as exc:
            raise CommandError(f"refresh failed: {exc}") from exc
        loaded = ", ".join(f"{t} +{n}" for t, n in stats.loaded.items())
        deleted = ", ".join(f"{t} -{n}" for t, n in stats.deleted.items() if n)
        self.stdout.write(f"mirror {'loaded' if stats.full else 'refreshed'} in {stats.seconds:.2f} s: {loaded}"
                          + (f"; deleted {deleted}" if deleted else "")
                          + (f"; reconciled {', '.join(stats.reconciled)}" if stats.reconciled else "")
                          + (f"; {analysed} texts analysed, {suggested} interests suggested"
                             if options["text"] else ""))
