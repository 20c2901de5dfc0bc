"""``kundebase imports list`` · ``imports show ID`` · ``imports pause ID`` · ``imports resume ID``.

Pausing is a request the running import (in the worker, or another ``kundebase import``) honours after the chunk
it is writing; resuming here goes on in the foreground, with the same progress line as ``kundebase import``.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kundebase.core.errors import DomainError
from kundebase.ingest import importer, services
from kundebase.ingest.models import ImportJob


def run_with_progress(job: ImportJob, *, chunk_size: int | None = None, quiet: bool = False) -> ImportJob:
    """Run (or resume) a job with a progress line on stderr (rows, rows/s, time left, phase).

    The command runs at the priority ``KUNDEBASE_BACKGROUND_NICE`` sets (:mod:`kundebase.core.priority`).
    Ctrl-C pauses the job instead of leaving it half-running: after the chunk being written, the job is paused
    and resumes from there (``kundebase imports resume ID``).  A second Ctrl-C stops at once: the chunk being
    written is rolled back, and the job resumes from the last one written.

    (The first Ctrl-C only sets a flag: a ``KeyboardInterrupt`` raised wherever the interpreter happens to be
    can land in a finaliser or a callback that swallows it, and the import would go on to the end.)
    """
    from tqdm import tqdm

    from kundebase.core import priority

    priority.lower_this_process()  # the server's requests first, when they share the processor
    asked = threading.Event()

    def ask(_signum: int, _frame: object) -> None:
        if asked.is_set():
            raise KeyboardInterrupt
        asked.set()
        sys.stderr.write("\n" + str(_("Pausing after the chunk being written (Ctrl-C again to stop at once)"))
                         + "\n")

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, ask)
    with tqdm(total=job.total_rows, initial=job.rows_done, unit="rows", file=sys.stderr, disable=quiet,
              desc=job.file_name[:30], postfix={"phase": str(ImportJob.Phase.WRITING.label)}) as bar:

        def written(count: int) -> None:
            bar.update(count)
            if asked.is_set():  # the importer looks for a pause right after this
                ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
                    status=ImportJob.Status.PAUSED)

        try:
            job = importer.run_job(job.pk, progress=written, chunk_size=chunk_size)
        except KeyboardInterrupt:
            ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PAUSED)
            job.refresh_from_db()
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        bar.set_postfix(phase=str(job.get_phase_display()))
    return job


def summary(job: ImportJob) -> str:
    return (f"import {job.pk}: {job.created_count} new, {job.updated_count} updated, "
            f"{job.unchanged_count} unchanged, {job.review_count} possible duplicates, "
            f"{job.error_count} errors, {job.quarantine_count} quarantined")


def paused_note(job: ImportJob) -> str:
    return (f"import {job.pk} paused after {job.rows_done} of {job.total_rows} rows; "
            f"go on with: kundebase imports resume {job.pk}")


class Command(BaseCommand):
    help = "List imports, show one's progress, pause a running import or resume a paused one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="the latest imports with their state")
        for name, text in (("show", "progress and counts of one import, as JSON"),
                           ("pause", "pause a running import after the chunk it is writing"),
                           ("resume", "resume a paused (or stalled) import here, with progress")):
            action = sub.add_parser(name, help=text)
            action.add_argument("id", type=int)
            if name == "resume":
                action.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "list":
            for listed in ImportJob.objects.select_related("source")[:50]:
                self.stdout.write(f"{listed.pk}\t{listed.get_status_display()}\t{listed.rows_done}/"
                                  f"{listed.total_rows}\t{listed.source.name}\t{listed.file_name}")
            return
        found = ImportJob.objects.filter(pk=opts["id"]).first()
        if found is None:
            raise CommandError(f"no import {opts['id']}")
        job = found
        try:
            if opts["action"] == "show":
                self.stdout.write(json.dumps(importer.progress(job), ensure_ascii=False, indent=2))
            elif opts["action"] == "pause":
                job = services.pause(job, channel="cli")
                self.stdout.write(f"import {job.pk} will pause after the chunk it is writing")
            else:
                if not services.claim_for_start(job, stale=services.stalled(job)):
                    job.refresh_from_db()
                    raise CommandError(f"import {job.pk} is {job.get_status_display().lower()}: nothing to resume")
                job = run_with_progress(job, quiet=opts["no_progress"])
                self.stdout.write(summary(job))
                if job.status == ImportJob.Status.PAUSED:
                    self.stderr.write(paused_note(job))
        except DomainError as exc:
            raise CommandError(str(exc)) from exc

