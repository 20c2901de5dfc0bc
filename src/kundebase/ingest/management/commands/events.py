"""``kundebase events dead-letters list|retry|discard``: the events that could not be processed.

``list`` prints one line per dead letter (id, source, type, received, reason); ``retry`` processes them again
after a fix (all, or ``--id``), ``discard`` deletes them (``--id``, or ``--all`` to empty the list on purpose).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kundebase.ingest import dead_letters


class Command(BaseCommand):
    help = "Events that could not be processed (dead letters): list, retry after a fix, discard."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="topic", required=True)
        letters = sub.add_parser("dead-letters", help="events set aside because they could not be processed")
        actions = letters.add_subparsers(dest="action", required=True)
        for name, text in (("list", "list the dead letters with their reason"),
                           ("retry", "process dead letters again (after the cause was fixed)"),
                           ("discard", "delete dead letters")):
            action = actions.add_parser(name, help=text)
            action.add_argument("--source", help="only the dead letters of this source")
            if name != "list":
                action.add_argument("--id", type=int, action="append", dest="ids", metavar="ID",
                                    help="this dead letter (repeat for several)")
            if name == "discard":
                action.add_argument("--all", action="store_true", help="discard every (chosen source's) dead letter")
            if name == "list":
                action.add_argument("--limit", type=int, default=100, help="show at most this many (default 100)")

    def handle(self, *args: Any, **opts: Any) -> None:
        action, source, ids = opts["action"], opts.get("source"), opts.get("ids")
        if action == "list":
            limit = opts["limit"]
            if limit < 1:
                raise CommandError("--limit must be at least 1")
            letters = dead_letters.dead_letters(source)
            total = letters.count()
            for event in letters[:limit]:
                reason = " ".join(event.error.split())
                self.stdout.write(f"{event.pk}\t{event.source.name}\t{event.type}\t"
                                  f"{event.received_at:%Y-%m-%d %H:%M:%S}\t{reason}")
            self.stdout.write(f"{total} dead letters" + (f" ({limit} shown)" if total > limit else ""))
        elif action == "retry":
            processed, still = dead_letters.retry(ids, source=source)
            self.stdout.write(f"{processed} processed, {still} still dead letters")
            if still:
                raise CommandError(f"{still} events failed again; see: kundebase events dead-letters list")
        else:
            if not ids and not opts["all"]:
                raise CommandError("name the dead letters to discard with --id, or all of them with --all")
            self.stdout.write(f"{dead_letters.discard(ids, source=source)} discarded")
