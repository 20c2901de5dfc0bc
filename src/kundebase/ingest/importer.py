"""Import jobs: register a file, preview it, run it in chunks that commit one by one, resume, report errors.

Each chunk (records read, decided and written) commits in one transaction
together with its ``ImportRow`` outcomes and the job's counters, so after a
crash — even ``kill -9`` — the job resumes after the last committed chunk and
nothing is lost or written twice.  A file already imported (same content hash,
source and entity) is recognised and changes nothing; a row already imported
from this source (same fingerprint) is skipped as unchanged.
"""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kundebase.core import spreadsheet
from kundebase.core.bulk import insert_rows
from kundebase.core.errors import NotFound, ValidationFailed
from kundebase.core.provenance import SourceRef
from kundebase.ingest import consolidation, limits, mapping, readers, records, writer
from kundebase.ingest.models import ImportJob, ImportRow, MappingTemplate, Source
from kundebase.matching import store
from kundebase.parties import services

log = logging.getLogger(__name__)
CHUNK = 1000
"""Rows decided and written in one transaction: larger chunks share more of their blocking keys and
candidates (1,000 measured about 10 % faster than 500; 2,000 gained nothing more) while a killed run loses
at most one chunk of work."""
DONE_OUTCOMES = ("created", "updated", "unchanged")
COUNTER = {"created": "created_count", "updated": "updated_count", "unchanged": "unchanged_count",
           "review": "review_count", "error": "error_count", "quarantine": "quarantine_count"}


def upload_dir() -> Path:
    path = Path(settings.KUNDEBASE_DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def get_source(name: str, *, create: bool = False) -> Source:
    source = Source.objects.filter(name=name).first()
    if source is None:
        if not create:
            raise NotFound(_("Source"), name)
        source = Source.objects.create(name=name)
    return source


def source_ref(source: Source) -> SourceRef:
    return SourceRef(name=source.name, verified=source.verified)


def save_template(*, source: Source, name: str, entity: str, columns: dict[str, str]) -> MappingTemplate:
    """Keep a mapping for the next file from the same source (replacing one of the same name); the one write
    path of templates is ``services.save_template``."""
    from kundebase.ingest import services

    return services.save_template(source=source, name=name, entity=entity, columns=columns, replace=True,
                                  channel="import")


def check_columns(entity: str, columns: dict[str, str]) -> None:
    """Refuse (422) a mapping onto fields the entity does not have, before anything is kept."""
    if entity not in mapping.TARGETS:
        raise ValidationFailed.one("entity", _("Choose one of: %(e)s") % {"e": ", ".join(mapping.ENTITIES)})
    custom = {records.CUSTOM + key for key in records.custom_definitions(entity)}
    wrong = [t for t in columns.values() if t and t not in mapping.TARGETS[entity] and t not in custom]
    if wrong:
        raise ValidationFailed.one("mapping", _("Unknown fields for %(entity)s: %(f)s")
                                   % {"entity": entity, "f": ", ".join(wrong)})


@dataclass
class Plan:
    """A file with its detected shape and the mapping that will be used."""

    path: Path
    info: readers.FileInfo
    sample: list[readers.Row]
    columns: dict[str, str]
    proposed: dict[str, str] = field(default_factory=dict)


def plan(path: Path, *, entity: str, name: str = "", source: Source | None = None,
         template: str | None = None, columns: dict[str, str] | None = None) -> Plan:
    """Detect the file's format and propose a mapping (or take a saved template / given one)."""
    try:
        limits.check_size(path.stat().st_size)
        info, sample = readers.sniff(path, name)
    except limits.LimitExceeded as exc:
        raise ValidationFailed.one("file", str(exc), "too_large") from exc
    except (readers.UnreadableFile, UnicodeDecodeError, OSError) as exc:
        raise ValidationFailed.one("file", str(exc), "unreadable") from exc
    custom = {records.CUSTOM + d.key: (d.key, d.label) for d in records.custom_definitions(entity).values()}
    proposed = mapping.propose(info.headers, [row for _line, row in sample], entity, custom=custom)
    chosen = proposed
    if template:
        found = MappingTemplate.objects.filter(source=source, name=template).first() if source else None
        if found is None:
            raise ValidationFailed.one("mapping", _("No mapping template %(t)s for this source") % {"t": template})
        chosen = dict(found.columns)
    if columns is not None:
        chosen = {c: t for c, t in columns.items() if t}
    check_columns(entity, chosen)
    return Plan(path=path, info=info, sample=sample, columns=chosen, proposed=proposed)


def create_job(*, path: Path, source: Source, entity: str, name: str = "", template: str | None = None,
               columns: dict[str, str] | None = None, user: object = None) -> tuple[ImportJob, bool]:
    """Register a file for import; ``(job, created)``.  The same file from the same source is the same job."""
    the_plan = plan(path, entity=entity, name=name, source=source, template=template, columns=columns)
    digest = readers.file_hash(path)
    existing = ImportJob.objects.filter(source=source, entity=entity, content_hash=digest).first()
    if existing is not None:
        return existing, False
    try:
        total_rows = readers.count_rows(path, the_plan.info)
    except (readers.UnreadableFile, UnicodeDecodeError, OSError) as exc:
        raise ValidationFailed.one("file", str(exc), "unreadable") from exc
    bounds = limits.Limits.current()
    if total_rows > bounds.rows:
        raise ValidationFailed.one("file", limits.too_many_rows(bounds), "too_large")
    stored = upload_dir() / f"{digest}{Path(name or path.name).suffix.lower()}"
    if not stored.exists():
        shutil.copyfile(path, stored)
    job = ImportJob.objects.create(
        source=source, entity=entity, file_name=(name or path.name)[:300], file_path=str(stored),
        file_format=the_plan.info.format, content_hash=digest, mapping=the_plan.columns,
        options={"encoding": the_plan.info.encoding, "delimiter": the_plan.info.delimiter,
                 "headers": the_plan.info.headers},
        total_rows=total_rows,
        created_by=user if isinstance(user, User) and user.pk else None)
    return job, True


def _info(job: ImportJob) -> readers.FileInfo:
    return readers.FileInfo(format=job.file_format, encoding=job.options.get("encoding", ""),
                            delimiter=job.options.get("delimiter", ""), headers=list(job.options.get("headers", [])))


def _chunks(rows: Iterator[readers.Row], size: int) -> Iterator[list[readers.Row]]:
    chunk: list[readers.Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def decide(recs: list[records.Record], entity: str, source: Source,
           likely: consolidation.Likely | None = None) -> list[consolidation.Decision]:
    if entity in consolidation.KIND:
        return consolidation.decide_parties(recs, entity, source_ref(source), source.priority, likely)
    return consolidation.decide_linked(recs, entity)


def _known(recs: list[records.Record], source: Source) -> set[str]:
    """Fingerprints of rows this source already delivered successfully (in any earlier file)."""
    prints = [r.fingerprint for r in recs if r.ok]
    if not prints or source.pk is None:
        return set()
    return set(ImportRow.objects.filter(fingerprint__in=prints, job__source=source, outcome__in=DONE_OUTCOMES)
               .values_list("fingerprint", flat=True))


def _write(entity: str, recs: list[records.Record], decisions: list[consolidation.Decision], source: Source,
           actor: object, likely: consolidation.Likely | None = None
           ) -> list[tuple[str, int | None, list[tuple[str, str]]]]:
    """Carry out one chunk's decisions; a row the services refuse becomes an error row, the rest still land.

    A row that depends on an earlier row of the chunk waits until that row is written, and is then decided
    again as it would have been in a chunk of its own, so where the file is cut changes nothing:

    * the same customer as an earlier row (``same_as``): decided against the customer that row wrote, so its
      values are weighed by survivorship and its new phones, e-mails and addresses added (or on its own merits,
      if the earlier row failed);
    * a stored customer an earlier row of the chunk also matched: weighed against what that row wrote;
    * the very same row again (same fingerprint): ``unchanged`` once the earlier one is stored, as a row this
      source delivered in an earlier chunk is.

    Rows of one customer are written one round each, in file order; ``decisions`` is updated in place."""
    results: list[tuple[str, int | None, list[tuple[str, str]]]] = [
        (d.outcome, d.party_id, d.problems) for d in decisions]
    rounds, first_of = _rounds(recs, decisions)
    number = 0
    while number in rounds:
        rows = rounds.pop(number)
        if number:
            again = []
            for i in rows:
                earlier = first_of.get(recs[i].fingerprint, i) if recs[i].ok else i
                if earlier != i and results[earlier][0] in DONE_OUTCOMES:
                    results[i] = ("unchanged", None, [])
                    decisions[i] = consolidation.Decision("unchanged")
                else:
                    again.append(i)
            rows = again
            for i, decision in zip(rows, decide([recs[i] for i in rows], entity, source, likely) if rows else [],
                                   strict=True):
                for ref in ("same_as", "like"):  # positions among the rows decided again, made chunk positions
                    if ref in decision.refs:
                        decision.refs[ref] = rows[decision.refs[ref]]
                decisions[i] = decision
                results[i] = (decision.outcome, decision.party_id, decision.problems)
            later = {i for i in rows if decisions[i].outcome == "updated" and "same_as" in decisions[i].refs}
            if later:  # the same customer as another row of this round: the round after
                rounds.setdefault(number + 1, []).extend(i for i in rows if i in later)
                rows = [i for i in rows if i not in later]
        _carry_out(entity, recs, decisions, rows, source, actor, results)
        number += 1
    _name_alike(decisions, results)
    return results


def _rounds(recs: list[records.Record], decisions: list[consolidation.Decision]
            ) -> tuple[dict[int, list[int]], dict[str, int]]:
    """The chunk positions written in each round (a customer's first row in round 0, its next in round 1 …),
    and the first position of each fingerprint."""
    waits_for: dict[int, int] = {}
    first_of: dict[str, int] = {}
    first_for: dict[int, int] = {}  # the first row of the chunk that matched each stored customer
    for i, (rec, decision) in enumerate(zip(recs, decisions, strict=True)):
        if rec.ok and rec.fingerprint in first_of:
            waits_for[i] = first_of[rec.fingerprint]
        elif decision.outcome == "updated" and "same_as" in decision.refs:
            waits_for[i] = decision.refs["same_as"]
        elif decision.party_id is not None and decision.party_id in first_for:
            waits_for[i] = first_for[decision.party_id]  # a stored customer twice: weighed after the first
        if rec.ok:
            first_of.setdefault(rec.fingerprint, i)
        if decision.party_id is not None:
            first_for.setdefault(decision.party_id, i)
    rounds: dict[int, list[int]] = {}
    members: dict[int, int] = {}  # rows of each customer so far: the next one goes a round later
    for i in range(len(recs)):
        head = i
        while head in waits_for:
            head = waits_for[head]
        depth = members.get(head, 0)
        members[head] = depth + 1
        rounds.setdefault(depth, []).append(i)
    return rounds, first_of


def _carry_out(entity: str, recs: list[records.Record], decisions: list[consolidation.Decision], rows: list[int],
               source: Source, actor: object, results: list[tuple[str, int | None, list[tuple[str, str]]]]) -> None:
    """Write the decisions of the chunk positions ``rows`` into ``results``."""
    ref = source_ref(source)
    channel = "import"
    if entity == "persons":
        new = [i for i in rows if decisions[i].outcome == "created"]
        ids = writer.create_persons([recs[i] for i in new], ref, actor, channel)
        for i, pid in zip(new, ids, strict=True):
            results[i] = ("created", pid, [])
    for i in rows:
        rec, decision = recs[i], decisions[i]
        outcome = decision.outcome
        keep_values = outcome == "unchanged" and decision.party_id is not None and decision.refs.get("incoming")
        if not keep_values and (outcome not in ("created", "updated") or (entity == "persons" and
                                                                          outcome == "created")):
            continue
        try:
            with transaction.atomic():
                if outcome in ("updated", "unchanged"):
                    writer.update_party(entity, rec, decision, ref, actor, channel)
                elif entity == "companies":
                    results[i] = ("created", writer.create_company(rec, ref, actor, channel), [])
                else:
                    done, record_id = writer.write_linked(entity, rec, decision, ref, actor, channel)
                    problems = [("", _("this order number belongs to another customer"))] if done == "error" else []
                    results[i] = (done, record_id, problems)
        except ValidationFailed as exc:
            reverse: dict[str, str] = {}
            results[i] = ("error", None, [(reverse.get(e.field, e.field), e.message) for e in exc.errors])
        except Exception as exc:  # a refusal by a service (conflict, suppression …) fails the row, not the file
            from kundebase.core.errors import DomainError

            if not isinstance(exc, DomainError):
                raise
            results[i] = ("error", None, [("", str(exc.detail or exc.title))])


def _name_alike(decisions: list[consolidation.Decision],
                results: list[tuple[str, int | None, list[tuple[str, str]]]]) -> None:
    """A row held as a possible duplicate of an earlier row of its chunk names that row's customer, now stored."""
    from kundebase.parties.models import Party

    alike = {i: results[d.refs["like"]][1] for i, d in enumerate(decisions) if "like" in d.refs}
    parties = Party.objects.in_bulk([pid for pid in alike.values() if pid is not None])
    for i, pid in alike.items():
        party = parties.get(pid) if pid is not None else None
        decisions[i].candidates = [{**decisions[i].candidates[0], "party_id": party.pk,
                                    "display_name": party.display_name,
                                    "customer_number": party.customer_number}] if party else []


def build_records(job: ImportJob, rows: list[readers.Row]) -> list[records.Record]:
    """A chunk's rows mapped, converted and validated."""
    custom = records.custom_definitions(job.entity)
    return [records.build(line=line, raw=raw, entity=job.entity, columns=job.mapping, source=job.source.name,
                          custom=custom) for line, raw in rows]


def process_chunk(job: ImportJob, rows: list[readers.Row], *, actor: object = None,
                  recs: list[records.Record] | None = None, likely: consolidation.Likely | None = None,
                  created: dict[int, int] | None = None, keys: dict[int, list[str]] | None = None,
                  updated: set[int] | None = None) -> dict[str, int]:
    """Decide and write one chunk and record its rows, all in one transaction.

    The whole-file check (:mod:`kundebase.ingest.filecheck`) passes the chunk's records as it validated them
    (``recs``), its answers to the duplicate check (``likely``) and the blocking keys it computed per line
    (``keys``: a customer created from the line gets them, not computed again); ``created`` collects the
    line → customer of each row created, ``updated`` the customers changed."""
    source = job.source
    if recs is None:
        recs = build_records(job, rows)
    counts = dict.fromkeys(COUNTER, 0)
    with transaction.atomic():
        # Error rows are kept up to a limit (a hostile file must not fill the database); the rest are counted.
        errors_before = ImportJob.objects.filter(pk=job.pk).values_list("error_count", flat=True).get()
        room = max(0, limits.Limits.current().error_rows - errors_before)
        known = _known(recs, source)
        fresh = [r for r in recs if r.fingerprint not in known or not r.ok]
        given_later: contextlib.AbstractContextManager[set[int]] = (
            store.keys_given_later() if keys is not None else contextlib.nullcontext(set()))
        with given_later as given:
            decisions = decide(fresh, job.entity, source, likely)
            with services.changes_told_together():  # the customers the chunk changed, told in one call
                results = dict(zip((r.line for r in fresh),
                                   _write(job.entity, fresh, decisions, source, actor, likely), strict=True))
        made = {line: pid for line, (outcome, pid, _p) in results.items() if outcome == "created" and pid is not None}
        if keys is not None and given:
            store.write_keys(consolidation.KIND[job.entity], {pid: keys[line] for line, pid in made.items()
                                                              if line in keys}, given)
        if created is not None:
            created.update(made)
        if updated is not None:
            updated.update(pid for outcome, pid, _p in results.values() if outcome == "updated" and pid is not None)
        out_rows = []
        by_line = dict(zip((r.line for r in fresh), decisions, strict=True))
        for rec in recs:
            outcome, record_id, problems = results.get(rec.line, ("unchanged", None, []))
            counts[outcome] += 1
            if outcome == "error":
                if room <= 0:
                    continue
                room -= 1
            failed = outcome not in DONE_OUTCOMES
            decision = by_line.get(rec.line) if failed else None
            candidates = decision.candidates if decision else []
            raw = rec.raw if failed else {}
            if outcome == "quarantine" and decision is not None:
                raw = _quarantine(job, rec, decision.refs.get("flagged", {}), actor)
            elif failed:
                raw, problems = _without_flagged_text(rec, problems)
            out_rows.append({"job_id": job.pk, "line": rec.line, "fingerprint": rec.fingerprint, "outcome": outcome,
                             "record_id": record_id, "raw": raw,
                             "problems": [list(p) for p in problems], "candidates": candidates})
        insert_rows(ImportRow, out_rows)
        ImportJob.objects.filter(pk=job.pk).update(
            rows_done=rows[-1][0], heartbeat_at=timezone.now(),
            **{COUNTER[k]: F(COUNTER[k]) + v for k, v in counts.items() if v})
    return counts


def _quarantine(job: ImportJob, rec: records.Record, flagged: dict[str, list[str]], actor: object) -> dict[str, Any]:
    """Hold a row with special-category text for review; what is kept of it (the flagged cells emptied)."""
    from kundebase.privacy import quarantine

    quarantine.hold_import_row(source=f"import {job.pk}: {job.file_name}", row=rec.raw, flagged=flagged,
                               source_row=str(rec.line), actor=actor)
    return quarantine.redacted(rec.raw, flagged)


def _without_flagged_text(rec: records.Record, problems: list[tuple[str, str]]
                          ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A failed row as it may be kept for the error file: special-category text in it is emptied, and said so."""
    from kundebase.privacy import quarantine

    flagged = consolidation.flagged_text(rec)
    if not flagged:
        return rec.raw, problems
    said = [(column, _("special-category data (%(categories)s): the text is not kept")
             % {"categories": ", ".join(cats)}) for column, cats in flagged.items()]
    return quarantine.redacted(rec.raw, flagged), [*problems, *said]


def run_job(job_id: int, *, actor: object = None, progress: Callable[[int], object] | None = None,
            chunk_size: int | None = None) -> ImportJob:
    """Run (or resume) an import to the end.  Safe to call again on a finished job: it does nothing.

    ``chunk_size``: rows per transaction, by default ``CHUNK`` for the per-row path and
    ``filecheck.CHUNK`` for the whole-file check."""
    job = ImportJob.objects.select_related("source").get(pk=job_id)
    if job.status == ImportJob.Status.DONE:
        return job
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, heartbeat_at=now,
                                               phase=ImportJob.Phase.WRITING, run_started_at=now,
                                               run_rows_start=job.rows_done)
    try:
        if _whole_file(job):
            from kundebase.ingest import filecheck

            if not filecheck.run(job, actor=actor, progress=progress, chunk_size=chunk_size or filecheck.CHUNK):
                job.refresh_from_db()
                return job
        else:
            rows = readers.open_rows(Path(job.file_path), _info(job), start_after=job.rows_done)
            for chunk in _chunks(rows, chunk_size or CHUNK):
                process_chunk(job, chunk, actor=actor)
                if progress:
                    progress(len(chunk))
                if _paused(job):
                    job.refresh_from_db()
                    return job
    except readers.UnreadableFile as exc:  # a limit reached part-way: the rows before it are stored
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, message=str(exc)[:2000])
        raise ValidationFailed.one("file", str(exc), "unreadable") from exc
    except Exception as exc:
        log.exception("import %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, message=str(exc)[:2000])
        raise
    ImportJob.objects.filter(pk=job.pk).update(phase=ImportJob.Phase.FINISHING)
    job.refresh_from_db()
    kept = limits.Limits.current().error_rows
    note = "" if job.error_count <= kept else (
        _("%(n)s rows had errors; the first %(kept)s are kept for the error file, the rest were counted only "
          "(KUNDEBASE_IMPORT_MAX_ERROR_ROWS)") % {"n": job.error_count, "kept": kept})
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE, finished_at=timezone.now(),
                                               phase=ImportJob.Phase.DONE, message=note)
    job.refresh_from_db()
    return job


def _whole_file(job: ImportJob) -> bool:
    """Whether the rows left are checked for duplicates as one file (``KUNDEBASE_IMPORT_FILE_CHECK_ROWS``):
    persons and companies only, the other entities name customers that exist."""
    left = (job.total_rows or 0) - job.rows_done
    return job.entity in consolidation.KIND and left >= settings.KUNDEBASE_IMPORT_FILE_CHECK_ROWS


def _paused(job: ImportJob) -> bool:
    """Whether someone asked the job to pause (checked between chunks, so a pause never splits one)."""
    return ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PAUSED).exists()


def progress(job: ImportJob) -> dict[str, Any]:
    """Where a job stands, as its page polls it and ``GET /api/v1/imports/{id}`` answers.

    ``rows_per_second`` and ``seconds_left`` are the current run's (a resumed job starts counting again),
    ``None`` until it has written its first chunk; ``phase`` says what it is doing.
    """
    now = timezone.now()
    rate = job.rate(now)
    left = job.seconds_left(now)
    return {"id": job.pk, "status": job.status, "status_label": str(job.get_status_display()),
            "phase": job.phase, "phase_label": str(job.get_phase_display()),
            "rows_done": job.rows_done, "total_rows": job.total_rows,
            "progress": round(job.progress, 4), "rows_per_second": round(rate, 1) if rate is not None else None,
            "seconds_left": round(left) if left is not None else None,
            "created": job.created_count, "updated": job.updated_count,
            "unchanged": job.unchanged_count, "review": job.review_count, "errors": job.error_count,
            "quarantined": job.quarantine_count, "message": job.message}


def dry_run(path: Path, *, source: Source, entity: str, columns: dict[str, str], info: readers.FileInfo | None = None,
            limit: int | None = None, sample: int = 20) -> dict[str, Any]:
    """Everything an import would do, without writing: counts, the first rows as stored, every problem."""
    info = info or readers.sniff(path)[0]
    counts = dict.fromkeys(COUNTER, 0)
    preview: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    seen = 0
    pending: dict[str, int] = {}
    for chunk in _chunks(readers.open_rows(path, readers.FileInfo(format=info.format, encoding=info.encoding,
                                                                   delimiter=info.delimiter)), CHUNK):
        custom = records.custom_definitions(entity)
        recs = [records.build(line=line, raw=raw, entity=entity, columns=columns, source=source.name, custom=custom)
                for line, raw in chunk]
        known = _known(recs, source)
        fresh = [r for r in recs if r.fingerprint not in known or not r.ok]
        decisions = dict(zip((r.line for r in fresh), decide(fresh, entity, source), strict=True))
        for rec in recs:
            decision = decisions.get(rec.line)
            outcome = decision.outcome if decision else "unchanged"
            if outcome == "created" and entity in consolidation.KIND:
                keys = [cp["normalised"] for cp in rec.contact_points] + [str(rec.data.get("customer_number", ""))]
                if any(k and k in pending for k in keys):
                    outcome = "updated"  # the same customer earlier in this file
                for k in keys:
                    if k:
                        pending.setdefault(k, rec.line)
            counts[outcome] += 1
            if len(preview) < sample:
                preview.append({"line": rec.line, "outcome": outcome, "data": _jsonable(rec.data),
                                "contact_points": [cp["value"] for cp in rec.contact_points],
                                "addresses": [str(_address(a)) for a in rec.addresses],
                                "changes": _jsonable(decision.changes) if decision else {},
                                "problems": [{"column": c, "message": m} for c, m in
                                             (decision.problems if decision else [])]})
            if decision and decision.problems and len(problems) < 1000:
                problems.extend({"line": rec.line, "column": c, "message": m, "outcome": outcome}
                                for c, m in decision.problems)
        seen += len(recs)
        if limit is not None and seen >= limit:
            break
    return {"counts": {k: v for k, v in counts.items()}, "rows": preview, "problems": problems, "rows_read": seen}


def _address(data: dict[str, Any]) -> object:
    from kundebase.parties.models import Address

    return Address(**data)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v if isinstance(v, int | float | bool | None)
                else str(v)) for k, v in data.items()}


def error_file(job: ImportJob, out: io.TextIOBase) -> int:
    """Write the rows that were not stored, as CSV: the original row, then the reason for each cell."""
    headers: list[str] = list(job.options.get("headers", []))
    failed = job.rows.exclude(outcome__in=DONE_OUTCOMES).order_by("line")
    problem_columns: list[str] = []
    for problems in failed.values_list("problems", flat=True).iterator():
        for column, _message in problems:
            name = column or _("row")
            if name not in problem_columns:
                problem_columns.append(name)
    # The rows are the file's own cells, hostile ones included: the shared writer neutralises formulas.
    writer_ = spreadsheet.TableWriter("csv", [_("line"), _("outcome"), *headers,
                                              *(f"{c}: {_('problem')}" for c in problem_columns)], handle=out)
    count = 0
    for row in failed.iterator():
        reasons: dict[str, list[str]] = {}
        for column, message in row.problems:
            reasons.setdefault(column or _("row"), []).append(message)
        raw = row.raw or {}
        writer_.row([row.line, row.outcome, *(_cell(raw.get(h)) for h in headers),
                          *("; ".join(reasons.get(c, [])) for c in problem_columns)])
        count += 1
    return count


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)
