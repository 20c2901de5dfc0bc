"""``kundebase match``: runs over the database, blocking-key rebuilds, and matching plain CSV files.

    kundebase match run [--full|--incremental] [--queued] [--if-never-run]
    kundebase match keys
    kundebase match FILE.csv --id-column COL [--mapping M.json] [--link OTHER.csv] --output PAIRS.csv
                    [--clusters CLUSTERS.csv] [--threshold P] [--weights]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from kundebase.core.errors import DomainError


class Command(BaseCommand):
    help = "Find duplicates: a run over the customer database, or a plain CSV file without any database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", help="run, keys, or a CSV file")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--full", action="store_true", help="train the model and score every pair (run)")
        mode.add_argument("--incremental", action="store_true", help="score new and changed customers (run)")
        parser.add_argument("--queued", action="store_true", help="carry out the runs queued through the API")
        parser.add_argument("--if-never-run", action="store_true",
                            help="do nothing when a run has completed already (used by make demo)")
        parser.add_argument("--id-column")
        parser.add_argument("--mapping", type=Path)
        parser.add_argument("--link", type=Path)
        parser.add_argument("--output", type=Path)
        parser.add_argument("--clusters", type=Path)
        parser.add_argument("--threshold", type=float, default=None)
        parser.add_argument("--weights", action="store_true", help="add the weight of every field to the pairs")

    def _bar(self) -> Any:
        bar = tqdm(total=100, file=sys.stderr, unit="%", bar_format="{desc} {percentage:3.0f}%|{bar}| {elapsed}")

        def report(step: str, share: float) -> None:
            bar.set_description_str(step)
            bar.n = min(100, int(share * 100))
            bar.refresh()
        return bar, report

    def handle(self, *args: Any, **opts: Any) -> None:
        target = opts["target"]
        try:
            if target == "run":
                self._run(opts)
            elif target == "keys":
                self._keys()
            else:
                self._file(Path(target), opts)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc

    def _run(self, opts: dict[str, Any]) -> None:
        from kundebase.matching import services
        from kundebase.matching.models import MatchJob

        if opts["if_never_run"] and MatchJob.objects.filter(status=MatchJob.Status.DONE).exists():
            self.stdout.write(_("a matching run has completed already; nothing to do"))
            return
        if opts["queued"]:
            jobs = list(MatchJob.objects.filter(status=MatchJob.Status.QUEUED).order_by("created_at"))
        else:
            jobs = [services.start_job("full" if opts["full"] else "incremental")]
        for job in jobs:
            bar, report = self._bar()
            try:
                done = services.run_job(job, progress=report, actor="cli")
            except Exception as exc:  # the run recorded why it failed; say it, exit non-zero
                job.refresh_from_db()
                raise CommandError(_("run %(id)s (%(mode)s) failed: %(reason)s") % {
                    "id": job.pk, "mode": job.mode, "reason": job.error or services.failure_reason(exc)}) from exc
            finally:
                bar.close()
            self.stdout.write(f"run {done.pk} ({done.mode}): {done.stats}")

    def _keys(self) -> None:
        from kundebase.matching import services

        for kind in services.KINDS:
            bar, report = self._bar()
            try:
                total = services.rebuild_keys(kind, report)
            finally:
                bar.close()
            self.stdout.write(f"{kind}: {total} blocking keys")

    def _file(self, path: Path, opts: dict[str, Any]) -> None:
        from kundebase.matching import batch, filematch

        if not opts["id_column"] or not opts["output"]:
            raise CommandError("matching a file needs --id-column and --output")
        threshold = batch.DEFAULT_THRESHOLD if opts["threshold"] is None else opts["threshold"]
        if not 0.0 <= threshold <= 1.0:
            raise CommandError("--threshold is a probability between 0 and 1")
        bar, report = self._bar()
        try:
            mapping = filematch.load_mapping(opts["mapping"]) if opts["mapping"] else None
            summary = filematch.match_files(path, id_column=opts["id_column"], output=opts["output"],
                                            mapping=mapping, link=opts["link"], clusters=opts["clusters"],
                                            threshold=threshold, weights=opts["weights"], progress=report)
        except (ValueError, FileNotFoundError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        self.stdout.write(f"{summary['records']} records, {summary['candidate_pairs']} candidate pairs, "
                          f"{summary['pairs']} pairs at ≥ {threshold}, mapping {summary['mapping']}")
