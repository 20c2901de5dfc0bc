"""``kundebase segments count|export …``: the segment language from the command line."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kundebase.core.errors import DomainError
from kundebase.marketing import exports, segments


class Command(BaseCommand):
    help = "Count customers matching a rule or a saved segment, or export a segment as a target list."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        count = sub.add_parser("count", help="count a rule (JSON, or @file, or - for stdin) or a segment id")
        count.add_argument("rule", help='a JSON rule such as {"attr": "age", "op": "gte", "value": 30}, @FILE, '
                                        "- for stdin, or a saved segment's id")
        export = sub.add_parser("export", help="export a saved segment as a target list")
        export.add_argument("segment_id", type=int)
        export.add_argument("--use", required=True, choices=list(exports.USES))
        export.add_argument("--format", default="csv", choices=list(exports.FORMATS))
        export.add_argument("--purpose", default=exports.DEFAULT_PURPOSE, help="consent purpose to check")
        export.add_argument("--output", required=True, help="file to write")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["action"] == "count":
                self._count(opts["rule"])
            else:
                result = exports.export_segment(segment_id=opts["segment_id"], use=opts["use"],
                                                file_format=opts["format"], purpose=opts["purpose"], channel="cli")
                shutil.copyfile(result.path, opts["output"])
                self.stdout.write(json.dumps({"export": result.export.pk, "rows": result.rows,
                                              "excluded": result.excluded}))
        except DomainError as exc:
            raise CommandError(str(exc)) from exc

    def _count(self, text: str) -> None:
        if text.isdigit():
            self.stdout.write(str(segments.segment_count(segments.get_segment(int(text)))))
            return
        if text == "-":
            text = sys.stdin.read()
        elif text.startswith("@"):
            text = Path(text[1:]).read_text(encoding="utf-8")
        try:
            rule = json.loads(text)
        except ValueError as exc:
            raise CommandError(f"the rule is not valid JSON: {exc}") from exc
        self.stdout.write(str(segments.count(rule=rule)))
