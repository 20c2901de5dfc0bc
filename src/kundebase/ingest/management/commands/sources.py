"""``kundebase sources add NAME`` (prints the write key), ``sources list``, ``sources rotate NAME``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kundebase.core.errors import DomainError
from kundebase.ingest import services
from kundebase.ingest.models import Source


class Command(BaseCommand):
    help = "Manage data sources and their event API write keys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="create a source and print its write key")
        add.add_argument("name")
        add.add_argument("--priority", type=int, default=50)
        add.add_argument("--verified", action="store_true")
        sub.add_parser("list", help="list sources")
        rotate = sub.add_parser("rotate", help="issue a new write key (the old one stops working)")
        rotate.add_argument("name")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["action"] == "add":
                _source, key = services.add_source(name=opts["name"], priority=opts["priority"],
                                                   verified=opts["verified"], channel="cli")
                self.stdout.write(key)
            elif opts["action"] == "rotate":
                source = Source.objects.filter(name=opts["name"]).first()
                if source is None:
                    raise CommandError(f"no source named {opts['name']}")
                self.stdout.write(services.rotate_key(source=source, channel="cli"))
            else:
                for source in Source.objects.all():
                    key = f"{source.key_prefix}…" if source.key_prefix else "-"
                    self.stdout.write(f"{source.name}\tpriority {source.priority}\t{key}")
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
