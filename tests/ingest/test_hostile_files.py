"""Hostile import files (issue 15): formulas in the error file, size and decompression limits, deep JSON."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from kundebase.ingest import importer

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
