"""The whole-file duplicate check decides every row as the per-row check does, and keeps an import's promises.

A file of the demo generator's persons (about 5 % second records of a person: the same e-mail or phone,
or a misspelt name at the same address) is imported twice into the same empty store, once checked chunk by
chunk and once as a whole file; each row must come out the same: the same outcome, the same customer
(named by the file line that created it, as the ids differ between the two runs), the same candidates for
a row held as a possible duplicate.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from kundebase.demo import person_file
from kundebase.ingest import importer
from kundebase.ingest.models import ImportJob, ImportRow
from kundebase.matching.models import BlockingKey

ROWS = 20_000


def _persons(tmp_path: Path, rows: int, seed: int = 11) -> Path:
    """The demo generator's persons without their ids (an id column would be taken for the customer number)."""
    plain, truth = tmp_path / "plain.csv", tmp_path / "truth.csv"
    person_file.write(rows, plain, truth, seed=seed)
    path = tmp_path / "persons.csv"
    with plain.open(encoding="utf-8", newline="") as src, path.open("w", encoding="utf-8", newline="") as out:
        reader = csv.DictReader(src)
        fields = [f for f in reader.fieldnames or [] if f != "id"]
        writer = csv.DictWriter(out, fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(reader)
    return path


def _outcomes(job: ImportJob) -> dict[int, tuple[Any, ...]]:
    """Per line: outcome, the customer it ended in and the candidates it was held beside, every customer
    named by the line that created it (or by its id when the file did not create it)."""
    rows = list(ImportRow.objects.filter(job=job).values_list("line", "outcome", "record_id", "candidates"))
    made = {pid: line for line, outcome, pid, _c in rows if outcome == "created"}

    def name(pid: int | None) -> Any:
        return ("line", made[pid]) if pid in made else pid

    return {line: (outcome, name(pid), tuple((name(c.get("party_id")), c.get("score")) for c in candidates))
            for line, outcome, pid, candidates in rows}


def _keys(job: ImportJob) -> set[tuple[int, str]]:
    """The blocking keys stored, each customer named by the line that created it."""
    made = dict(ImportRow.objects.filter(job=job, outcome="created").values_list("record_id", "line"))
    return {(made[pid], key) for pid, key in BlockingKey.objects.values_list("party_id", "key")}


def _run(path: Path, settings: Any, threshold: int) -> tuple[ImportJob, dict[int, tuple[Any, ...]]]:
    settings.KUNDEBASE_IMPORT_FILE_CHECK_ROWS = threshold
    source = importer.get_source("crm", create=True)
    job, _created = importer.create_job(path=path, source=source, entity="persons", name=path.name)
    job = importer.run_job(job.pk)
    return job, _outcomes(job)


def _counts(job: ImportJob) -> tuple[int, ...]:
    return (job.created_count, job.updated_count, job.unchanged_count, job.review_count, job.error_count)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("window", [None, 6_000])
def test_whole_file_check_decides_every_row_as_the_per_row_check(tmp_path, settings, monkeypatch, window):
    """In one window, and in windows of 6,000 rows (a row meets an earlier window's rows as stored customers,
    as the per-row check meets them)."""
    from kundebase.ingest import filecheck

    monkeypatch.setattr(filecheck, "WINDOW_ROWS", window or filecheck.WINDOW_ROWS)
    settings.KUNDEBASE_DATA_DIR = tmp_path / "data"
    path = _persons(tmp_path, ROWS)
    with transaction.atomic():  # the per-row run, rolled back: both runs start from the same empty store
        per_row_job, per_row = _run(path, settings, threshold=10**9)
        per_row_keys = _keys(per_row_job)
        transaction.set_rollback(True)
    whole_job, whole = _run(path, settings, threshold=1)
    whole_keys = _keys(whole_job)
    assert whole_job.status == "done" and whole_job.rows_done == ROWS
    differ = {line: (per_row[line], whole.get(line)) for line in per_row if per_row[line] != whole.get(line)}
    assert not differ, f"{len(differ)} of {ROWS} rows differ, e.g. {list(differ.items())[:5]}"
    assert _counts(whole_job) == _counts(per_row_job)
    created, updated, unchanged, review, _errors = _counts(whole_job)
    assert review > 20 and updated + unchanged > 500  # the planted second records were found, not created
    # The new customers' blocking keys, written from the linking's own, are those the per-row path stores.
    assert whole_keys == per_row_keys
    assert len({line for line, _key in whole_keys}) == created


@pytest.mark.django_db
def test_whole_file_check_is_idempotent_and_keeps_error_rows(tmp_path, settings):
    settings.KUNDEBASE_DATA_DIR = tmp_path / "data"
    settings.KUNDEBASE_IMPORT_FILE_CHECK_ROWS = 1
    path = tmp_path / "small.csv"
    path.write_text("fornavn;etternavn;e-post;mobil\n"
                    "Kari;Nordmann;kari@example.no;\n"
                    "Ola;;ola@example.no;\n"  # no family name: an error row, with its reason
                    "Kari;Nordmann;KARI@example.no;+47 912 34 567\n"  # the same person again: not a second customer
                    "Per;Hansen;per@example.no;\n", encoding="utf-8")
    source = importer.get_source("crm", create=True)
    job, _created = importer.create_job(path=path, source=source, entity="persons", name=path.name)
    job = importer.run_job(job.pk, chunk_size=2)
    assert (job.created_count, job.updated_count, job.error_count) == (2, 1, 1)
    error = ImportRow.objects.get(job=job, outcome="error")
    assert error.line == 2 and error.problems and error.raw["etternavn"] == ""
    assert not list((tmp_path / "data" / "imports").glob("*.spill"))  # the spill file is gone
    again = importer.run_job(job.pk)  # a finished job: nothing happens
    assert _counts(again) == _counts(job)
    copy = tmp_path / "copy.csv"
    copy.write_text(path.read_text(encoding="utf-8") + "Eva;Berg;eva@example.no;\n", encoding="utf-8")
    second, _created = importer.create_job(path=copy, source=source, entity="persons", name=copy.name)
    second = importer.run_job(second.pk)
    assert (second.created_count, second.unchanged_count, second.error_count) == (1, 3, 1)


SAMPLES = [("persons_nb_semicolon_utf8.csv", "persons"), ("persons_en_bad_rows.csv", "persons"),
           ("persons.jsonl", "persons"), ("persons_nb.xlsx", "persons"), ("contacts_outlook.vcf", "persons"),
           ("companies_nb.csv", "companies"), ("companies.jsonl", "companies")]


@pytest.mark.django_db
@pytest.mark.parametrize("window", [None, 4])
@pytest.mark.parametrize(("name", "entity"), SAMPLES)
def test_whole_file_check_agrees_on_the_sample_files(name, entity, window, tmp_path, settings, monkeypatch):
    """Every committed sample file, in chunks of two rows so that rows meet across chunks (and in windows of two
    chunks, so that they meet across windows): the same outcome, customer and candidates per row, and the same
    counts, either way."""
    from kundebase.ingest import filecheck
    from tests.ingest.conftest import DATA

    monkeypatch.setattr(filecheck, "WINDOW_ROWS", window or filecheck.WINDOW_ROWS)

    settings.KUNDEBASE_DATA_DIR = tmp_path / "data"
    source = importer.get_source("crm", create=True)
    runs = []
    for threshold in (10**9, 1):
        with transaction.atomic():
            settings.KUNDEBASE_IMPORT_FILE_CHECK_ROWS = threshold
            job, _created = importer.create_job(path=DATA / name, source=source, entity=entity, name=name)
            job = importer.run_job(job.pk, chunk_size=2)
            runs.append((_counts(job), _outcomes(job)))
            transaction.set_rollback(True)
    assert runs[0] == runs[1]
