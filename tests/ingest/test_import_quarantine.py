"""Special-category text in an import goes to the quarantine and is kept nowhere: not in a stored row of any table
(quarantine, import rows, audit log, customers …), not in the error file — through the CLI and the web upload."""

from __future__ import annotations

import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db

HEADERS = ["email", "first name", "last name", "note"]
ROWS = [
    ["anne@example.no", "Anne", "Lie", "Liker fjellturer og ringer helst om kvelden"],
    ["bo@example.no", "Bo", "Berg", "Har diabetes type 2, ring før levering"],
    ["not-an-email", "Cato", "Dahl", "Kunden tar Ritalin hver morgen"],
]
WORDS = ("diabetes", "ritalin")


def database_dump() -> str:
    """Every row of every table, as text (the same check on SQLite and PostgreSQL)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            parts.extend(str(row) for row in cursor.fetchall())
    return "\n".join(parts).lower()


def assert_kept_nowhere(error_file: str) -> None:
    from kundebase.privacy.models import Quarantine

    held = Quarantine.objects.get()
    assert held.categories == ["health"] and held.row_data["note"] == "" and held.row_data["email"] == "bo@example.no"
    assert "note" in held.reason and "health" in held.reason
    dump = database_dump()
    assert "anne@example.no" in dump and "bo@example.no" in dump  # the dump reaches the stored rows
    lowered = error_file.lower()
    for word in WORDS:
        assert word not in dump, word
        assert word not in lowered, word
    assert "special-category data (health)" in lowered and "note" in lowered.splitlines()[0]


def test_cli_csv_import_quarantines_without_keeping_the_text(tmp_path, settings):
    from kundebase.ingest.models import ImportJob
    from kundebase.parties.models import Person

    settings.KUNDEBASE_DATA_DIR = tmp_path
    path = tmp_path / "kunder.csv"
    path.write_text("\n".join(";".join(r) for r in [HEADERS, *ROWS]) + "\n", encoding="utf-8")
    errors = tmp_path / "errors.csv"
    out = StringIO()
    call_command("import", str(path), "--source", "crm", "--errors", str(errors), "--no-progress",
                 stdout=out, stderr=StringIO())
    job = ImportJob.objects.get()
    assert (job.created_count, job.quarantine_count, job.error_count) == (1, 1, 1)
    assert list(Person.objects.values_list("given_name", flat=True)) == ["Anne"]
    text = errors.read_text(encoding="utf-8")
    assert len(text.splitlines()) == 3  # header, the quarantined row, the error row
    assert_kept_nowhere(text)


def test_web_xlsx_upload_quarantines_without_keeping_the_text(client, make_user, settings, tmp_path,
                                                               transactional_db):
    from openpyxl import Workbook

    from kundebase.ingest.models import ImportJob

    settings.KUNDEBASE_DATA_DIR = tmp_path
    client.force_login(make_user("admin", "administrator"))
    book = Workbook()
    sheet = book.active
    for row in [HEADERS, *ROWS]:
        sheet.append(row)
    path = tmp_path / "kunder.xlsx"
    book.save(path)
    res = client.post("/import/new", {"file": SimpleUploadedFile("kunder.xlsx", Path(path).read_bytes()),
                                      "source": "messe", "entity": "persons"})
    assert res.status_code == 302, res.content
    job = ImportJob.objects.get()
    assert client.post(f"/import/{job.pk}/start").status_code == 302
    for _ in range(400):
        progress = client.get(f"/import/{job.pk}/progress").json()
        if progress["status"] == "done":
            break
        time.sleep(0.05)
    assert progress["status"] == "done" and progress["quarantined"] == 1 and progress["created"] == 1
    errors = client.get(f"/import/{job.pk}/errors.csv")
    assert errors.status_code == 200
    assert_kept_nowhere(b"".join(errors.streaming_content).decode("utf-8"))
