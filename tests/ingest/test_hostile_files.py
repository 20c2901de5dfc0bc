"""Hostile import files (issue 15): formulas in the error file, size and decompression limits, deep JSON."""

from __future__ import annotations

import csv
import io
import os
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from kundebase.core.errors import ValidationFailed
from kundebase.ingest import importer, readers
from kundebase.ingest.models import ImportJob

pytestmark = pytest.mark.django_db


def test_the_error_file_neutralises_formulas_from_the_imported_file(run_import, tmp_path: Path) -> None:
    path = tmp_path / "evil.csv"
    path.write_text('Customer number,First name,Last name,=cmd|calc\n'
                    'C-1,"=1+HYPERLINK(""http://evil"")",,@SUM(1)\n', encoding="utf-8")
    job = run_import(path)
    assert job.error_count == 1
    out = io.StringIO()
    assert importer.error_file(job, out) == 1
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert "'=cmd|calc" in rows[0]
    assert "'=1+HYPERLINK(\"http://evil\")" in rows[1] and "'@SUM(1)" in rows[1]
    assert not any(cell and cell[0] in "=+-@" for row in rows for cell in row)


# --- building hostile files --------------------------------------------------------------------------------------

HEADER = "Customer number,First name,Last name,Email\n"


def _good(n: int) -> str:
    return f"C-{n},Kari,Nordmann{n},kari{n}@example.org\n"


def _xlsx_with(tmp_path: Path, name: str, sheet_xml: Any, shared: bytes | None = None) -> Path:
    """A real workbook (openpyxl) whose sheet (and shared strings) are replaced by streamed, generated XML."""
    from openpyxl import Workbook

    plain = tmp_path / "plain.xlsx"
    book = Workbook()
    book.active.append(["Customer number", "Last name"])
    book.save(plain)
    target = tmp_path / name
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with out.open(item.filename, "w") as member:
                    for piece in sheet_xml:
                        member.write(piece)
            else:
                out.writestr(item, src.read(item.filename))
        if shared is not None:
            out.writestr("xl/sharedStrings.xml", shared)
    return target


def _bomb_rows(megabytes: int) -> Any:
    yield (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           b'<row r="1"><c r="A1" t="inlineStr"><is><t>Customer number</t></is></c></row>')
    row = b'<row><c t="inlineStr"><is><t>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</t></is></c></row>' * 1000
    for _ in range(megabytes * 1024 * 1024 // len(row) + 1):
        yield row
    yield b"</sheetData></worksheet>"


def _peak(fn: Any) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _refusal(path: Path) -> str:
    source = importer.get_source("crm", create=True)
    with pytest.raises(ValidationFailed) as err:
        importer.create_job(path=path, source=source, entity="persons", name=path.name)
    assert err.value.errors[0].field == "file"
    return err.value.errors[0].message


# --- the limits --------------------------------------------------------------------------------------------------

def test_a_csv_field_over_128_kb_is_an_error_row_not_a_crash(run_import, tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(HEADER + _good(1) + "C-2,Kari," + "x" * 200_000 + ",k2@example.org\n" + _good(3),
                    encoding="utf-8")
    job = run_import(path)
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.error_count) == (2, 1)
    row = job.rows.get(outcome="error")
    assert "KUNDEBASE_IMPORT_MAX_CELL_CHARS" in row.problems[0][1]
    assert len(str(row.raw)) < 2000  # the giant cell is not stored whole


def test_a_csv_field_over_128_kb_in_the_first_rows_is_no_500_on_upload(client, make_user, settings,
                                                                       tmp_path: Path) -> None:
    settings.KUNDEBASE_DATA_DIR = tmp_path
    client.force_login(make_user("admin", "administrator"))
    body = (HEADER + "C-2,Kari," + "x" * 200_000 + ",k2@example.org\n" + _good(3)).encode()
    res = client.post("/import/new", {"file": SimpleUploadedFile("long.csv", body), "source": "messe",
                                      "entity": "persons"})
    assert res.status_code == 302
    assert ImportJob.objects.get().total_rows == 2


def test_a_giant_line_is_skipped_with_memory_bounded(run_import, tmp_path: Path, settings) -> None:
    path = tmp_path / "giant.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER + _good(1) + "C-2,")
        for _ in range(40):
            fh.write("y" * (1024 * 1024))  # one 40 MB line
        fh.write(",Nordmann,k@example.org\n" + _good(3))
    info = readers.FileInfo(format="csv", encoding="utf-8", delimiter=",")
    rows: list[Any] = []
    peak = _peak(lambda: rows.extend(readers.open_rows(path, info)))
    assert peak < 12 * 1024 * 1024
    assert [line for line, _row in rows] == [1, 2, 3]
    assert "KUNDEBASE_IMPORT_MAX_LINE_CHARS" in rows[1][1]["_error"]
    job = run_import(path)
    assert (job.created_count, job.error_count) == (2, 1)


def test_a_zip_bomb_workbook_is_refused_with_memory_bounded(db, tmp_path: Path) -> None:
    path = _xlsx_with(tmp_path, "bomb.xlsx", _bomb_rows(40))
    assert path.stat().st_size < 5 * 1024 * 1024
    message = ""

    def refuse() -> None:
        nonlocal message
        message = _refusal(path)

    assert _peak(refuse) < 20 * 1024 * 1024
    assert "zip bomb" in message and "KUNDEBASE_IMPORT_MAX_COMPRESSION_RATIO" in message
    assert not ImportJob.objects.exists()


def test_a_workbook_that_unpacks_too_far_is_refused(db, tmp_path: Path, settings) -> None:
    settings.KUNDEBASE_IMPORT_MAX_COMPRESSION_RATIO = 100_000
    settings.KUNDEBASE_IMPORT_MAX_UNCOMPRESSED_MB = 5
    assert "KUNDEBASE_IMPORT_MAX_UNCOMPRESSED_MB" in _refusal(_xlsx_with(tmp_path, "far.xlsx", _bomb_rows(8)))


def test_a_workbook_with_a_giant_cell_is_refused_before_it_is_parsed(db, tmp_path: Path) -> None:
    giant = os.urandom(3 * 1024 * 1024).hex().encode()  # 6 MB of text that does not compress away
    sheet = [b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             b'<row r="1"><c r="A1" t="inlineStr"><is><t>Customer number</t></is></c></row>'
             b'<row r="2"><c r="A2" t="inlineStr"><is><t>', giant, b"</t></is></c></row></sheetData></worksheet>"]
    path = _xlsx_with(tmp_path, "cell.xlsx", sheet)
    message = ""

    def refuse() -> None:
        nonlocal message
        message = _refusal(path)

    assert _peak(refuse) < 12 * 1024 * 1024
    assert "KUNDEBASE_IMPORT_MAX_CELL_CHARS" in message


def test_the_cli_refuses_a_zip_bomb_with_a_message(db, tmp_path: Path, settings) -> None:
    settings.KUNDEBASE_DATA_DIR = tmp_path / "data"
    path = _xlsx_with(tmp_path, "bomb.xlsx", _bomb_rows(20))
    with pytest.raises(CommandError, match="zip bomb"):
        call_command("import", str(path), "--source", "crm", "--no-progress")


def test_files_over_the_size_limit_are_refused_on_upload(client, make_user, settings, tmp_path: Path) -> None:
    settings.KUNDEBASE_DATA_DIR = tmp_path
    settings.KUNDEBASE_IMPORT_MAX_FILE_MB = 1
    client.force_login(make_user("admin", "administrator"))
    body = (HEADER + _good(1) * 30_000).encode()
    assert len(body) > 1024 * 1024
    res = client.post("/import/new", {"file": SimpleUploadedFile("big.csv", body), "source": "messe",
                                      "entity": "persons"})
    assert res.status_code == 400 and "KUNDEBASE_IMPORT_MAX_FILE_MB" in res.content.decode()
    assert not ImportJob.objects.exists()


def test_too_many_rows_or_columns_are_refused(db, tmp_path: Path, settings) -> None:
    settings.KUNDEBASE_IMPORT_MAX_ROWS = 10
    rows = tmp_path / "rows.csv"
    rows.write_text(HEADER + "".join(_good(n) for n in range(20)), encoding="utf-8")
    assert "KUNDEBASE_IMPORT_MAX_ROWS" in _refusal(rows)
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{n}" for n in range(2000)) + "\n" + ",".join("x" * 2000) + "\n")
    assert "KUNDEBASE_IMPORT_MAX_COLUMNS" in _refusal(wide)


def test_a_workbook_claiming_a_huge_sheet_is_read_by_its_cells(run_import, tmp_path: Path) -> None:
    sheet = [b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<dimension ref="A1:XFD1048576"/><sheetData>'
             b'<row r="1"><c r="A1" t="inlineStr"><is><t>Customer number</t></is></c>'
             b'<c r="B1" t="inlineStr"><is><t>Last name</t></is></c></row>'
             b'<row r="2"><c r="A2" t="inlineStr"><is><t>C-1</t></is></c>'
             b'<c r="B2" t="inlineStr"><is><t>Nordmann</t></is></c></row></sheetData></worksheet>']
    job = run_import(_xlsx_with(tmp_path, "claims.xlsx", sheet))
    assert job.options["headers"] == ["Customer number", "Last name"]
    assert (job.total_rows, job.created_count) == (1, 1)


def test_error_rows_are_kept_up_to_the_limit_and_counted_beyond(run_import, tmp_path: Path, settings) -> None:
    settings.KUNDEBASE_IMPORT_MAX_ERROR_ROWS = 5
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + _good(1) + "".join(f"C-{n},Kari,,not-an-email\n" for n in range(100, 130)),
                    encoding="utf-8")
    job = run_import(path, chunk_size=7)
    assert (job.created_count, job.error_count) == (1, 30)
    assert job.rows.filter(outcome="error").count() == 5
    assert "30" in job.message and "KUNDEBASE_IMPORT_MAX_ERROR_ROWS" in job.message
    assert importer.error_file(job, io.StringIO()) == 5


def test_deeply_nested_json_lines_are_error_rows(run_import, tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    lines = ['{"customer_number": "C-1", "family_name": "Nordmann", "email": "k1@example.org"}',
             '{"a": ' * 100_000 + "1" + "}" * 100_000,
             '{"family_name": ' + "[" * 50 + "1" + "]" * 50 + "}",
             '{"n": ' + '{"n": ' * 40 + "1" + "}" * 41,
             '{"customer_number": "C-2", "family_name": "Vik", "email": "k2@example.org"}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    job = run_import(path, columns={"customer_number": "customer_number", "family_name": "family_name",
                                    "email": "email"})
    assert (job.created_count, job.error_count) == (2, 3)
    problems = [r.problems[0][1] for r in job.rows.filter(outcome="error")]
    assert all("KUNDEBASE_IMPORT_MAX_JSON_DEPTH" in p for p in problems)


def test_nul_characters_are_replaced_not_a_database_error(run_import, tmp_path: Path) -> None:
    """PostgreSQL stores NUL neither in text nor in JSON: a file holding one must still import."""
    path = tmp_path / "nul.csv"
    path.write_bytes(b"Customer number,First name,Last name,Email,No\x00te\nC-1,Ka\x00ri,Nordmann,k@example.org,x\x00\n"
                     b"C-2,Ola,,not-an-email,\x00\n")
    job = run_import(path)
    assert job.status == ImportJob.Status.DONE and (job.created_count, job.error_count) == (1, 1)
    assert "No\ufffdte" in job.options["headers"]
    assert job.rows.get(outcome="error").raw["No\ufffdte"] == "\ufffd"
