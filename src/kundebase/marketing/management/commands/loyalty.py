"""``kundebase loyalty earn|expire``: points for new orders of members; write-off of expired points.

Both are idempotent; schedule them daily.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kundebase.marketing import loyalty


class Command(BaseCommand):
    help = "Give points for members' new orders (earn) or expire points past their date, first in first out."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["earn", "expire"])

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "earn":
            self.stdout.write(json.dumps({"orders": loyalty.run_order_earning()}))
        else:
            self.stdout.write(json.dumps(loyalty.run_expiry()))
