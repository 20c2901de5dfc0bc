"""``kundebase import FILE --source NAME [--mapping TEMPLATE] [--entity E] [--dry-run] [--errors OUT.csv]``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kundebase.core.errors import DomainError
from kundebase.ingest import importer, mapping


class Command(BaseCommand):
    help = "Import persons, companies, contact roles, interactions or orders from CSV, XLSX, vCard or JSON Lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, help="where the file comes from (created when new)")
        parser.add_argument("--entity", choices=mapping.ENTITIES, default="persons")
        parser.add_argument("--mapping", help="name of a saved mapping template of this source")
        parser.add_argument("--columns", help='explicit mapping as JSON: {"column": "field", ...}')
        parser.add_argument("--save-mapping", help="save the mapping used under this name")
        parser.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")
        parser.add_argument("--errors", type=Path, help="write the rows not stored (with reasons) to this CSV")
        parser.add_argument("--chunk-size", type=int, default=None,
                            help="rows per transaction (default 1,000, or 5,000 when the whole file is checked "
                                 "at once)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        columns = None
        if opts["columns"]:
            try:
                columns = json.loads(opts["columns"])
            except json.JSONDecodeError as exc:
                raise CommandError(f"--columns is not JSON: {exc}") from exc
        try:
            if opts["dry_run"]:
                self._dry_run(path, opts, columns)
                return
            source = importer.get_source(opts["source"], create=True)
            job, created = importer.create_job(path=path, source=source, entity=opts["entity"], name=path.name,
                                               template=opts["mapping"], columns=columns)
            if opts["save_mapping"]:
                importer.save_template(source=source, name=opts["save_mapping"], entity=opts["entity"],
                                       columns=job.mapping)
            if not created and job.status == job.Status.DONE:
                self.stderr.write(f"this file was imported before (import {job.pk}); nothing changed")
            else:
                job = self._run(job, opts)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        from kundebase.ingest.management.commands.imports import paused_note, summary

        self.stdout.write(summary(job))
        if job.status == job.Status.PAUSED:
            self.stderr.write(paused_note(job))
        if job.message:
            self.stderr.write(job.message)
        if opts["errors"]:
            with opts["errors"].open("w", encoding="utf-8", newline="") as out:
                count = importer.error_file(job, out)
            self.stderr.write(f"{count} rows not stored written to {opts['errors']}")

    def _run(self, job: Any, opts: dict[str, Any]) -> Any:
        from kundebase.ingest.management.commands.imports import run_with_progress

        return run_with_progress(job, chunk_size=opts["chunk_size"], quiet=opts["no_progress"])

    def _dry_run(self, path: Path, opts: dict[str, Any], columns: dict[str, str] | None) -> None:
        from kundebase.ingest.models import Source

        source = Source.objects.filter(name=opts["source"]).first() or Source(name=opts["source"])
        the_plan = importer.plan(path, entity=opts["entity"], name=path.name, source=source if source.pk else None,
                                 template=opts["mapping"], columns=columns)
        result = importer.dry_run(path, source=source, entity=opts["entity"], columns=the_plan.columns,
                                  info=the_plan.info)
        self.stdout.write(json.dumps({"format": the_plan.info.format, "encoding": the_plan.info.encoding,
                                      "delimiter": the_plan.info.delimiter, "mapping": the_plan.columns,
                                      **result}, ensure_ascii=False, indent=2, default=str))
