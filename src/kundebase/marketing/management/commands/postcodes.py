"""``kundebase postcodes import [FILE]``: load postcode coordinates for distance rules.

Without a file the committed table shipped with Kundebase is loaded
(``marketing/data/postcode_centroids.csv``); a file in the same format
(``country;postcode;place;lat;lon``, postcode may be a prefix) adds or replaces rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kundebase.marketing import places


class Command(BaseCommand):
    help = "Import postcode centroids (country;postcode;place;lat;lon) used by distance rules."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import"])
        parser.add_argument("file", nargs="?", help="CSV file; default: the table shipped with Kundebase")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"]) if opts["file"] else places.BUNDLED
        try:
            count = places.import_centroids(path)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{count} postcode centroids loaded")
