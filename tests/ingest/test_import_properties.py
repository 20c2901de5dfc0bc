"""Property-based: whatever a CSV, XLSX or JSON Lines file holds, the importer ends in a clear error or a result.

Random bytes, random encodings and delimiters, random headers, empty files, formula-like and huge cells: each
example either is refused with a ``ValidationFailed`` on the ``file`` field, or imports with every row read
accounted for (created + updated + unchanged + held for review + errors + quarantined = rows read).  Bounded
and deterministic (``derandomize``), each test well under 30 seconds.
"""

from __future__ import annotations

import io
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kundebase.core.errors import ValidationFailed
from kundebase.ingest import importer, readers
from kundebase.ingest.models import ImportJob

pytestmark = pytest.mark.django_db
BOUNDED = settings(derandomize=True, max_examples=30, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                          HealthCheck.data_too_large])
KNOWN = ["Customer number", "First name", "Last name", "Email", "Phone", "Kundenummer", "Etternavn", "E-post"]
_names = itertools.count()

cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["=1+HYPERLINK(\"http://evil\")", "+47 412 34 567", "-1", "@SUM(1)", "ola@example.org",
                     "Nordmann", "31.12.1980", "\"", "a\nb", "", "\x00"]),
    st.sampled_from([40_000, 150_000]).map(lambda n: Huge(n)),  # 150 KB: over the csv module's 128 KB default
)


class Huge(int):
    """A cell of that many characters, written out only in the file (a short repr keeps failure reports short)."""

    def __repr__(self) -> str:
        return f"Huge({int(self)})"


def _expand(value: Any) -> Any:
    if isinstance(value, Huge):
        return "x" * int(value)
    if isinstance(value, list):
        return [_expand(v) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v) for k, v in value.items()}
    return value

header = st.one_of(st.sampled_from(KNOWN), st.text(max_size=12))


def _outcome(tmp_path: Path, name: str, content: bytes) -> None:
    """Import the file; assert it is a clear refusal or a finished import whose counts add up to the rows read."""
    path = tmp_path / f"{next(_names)}-{name}"
    path.write_bytes(content)
    source = importer.get_source(f"s{next(_names)}", create=True)
    try:
        job, _created = importer.create_job(path=path, source=source, entity="persons", name=name)
        job = importer.run_job(job.pk)
    except ValidationFailed as exc:
        assert exc.errors and exc.errors[0].field == "file" and exc.errors[0].message
        return
    assert job.status == ImportJob.Status.DONE
    stored = Path(job.file_path)
    rows_read = sum(1 for _ in readers.open_rows(stored, importer._info(job)))
    counted = (job.created_count + job.updated_count + job.unchanged_count + job.review_count + job.error_count
               + job.quarantine_count)
    assert counted == rows_read == job.rows.count()
    importer.error_file(job, io.StringIO())  # the error file can always be written


@BOUNDED
@given(content=st.binary(max_size=2000))
def test_random_bytes_as_any_format(tmp_path: Path, settings: Any, content: bytes) -> None:
    settings.KUNDEBASE_DATA_DIR = tmp_path / "data"
    for name in ("random.csv", "random.xlsx", "random.jsonl"):
        _outcome(tmp_path, name, content)


@BOUNDED
@given(headers=st.lists(header, max_size=6), rows=st.lists(st.lists(cell, max_size=7), max_size=8),
       delimiter=st.sampled_from([";", ",", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "iso8859_2", "utf-16"]))
def test_random_csv(tmp_path: Path, settings: Any, headers: list[str], rows: list[list[str]], delimiter: str,
                    encoding: str) -> None:
    import csv

    settings.KUNDEBASE_DATA_DIR = tmp_path / "data"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(_expand(rows))
    _outcome(tmp_path, "file.csv", buffer.getvalue().encode(encoding, errors="replace"))


@BOUNDED
@given(headers=st.lists(header, max_size=6),
       rows=st.lists(st.lists(st.one_of(cell, st.integers(), st.floats(allow_nan=False), st.none()), max_size=7),
                     max_size=8))
def test_random_xlsx(tmp_path: Path, settings: Any, headers: list[str], rows: list[list[Any]]) -> None:
    from openpyxl import Workbook

    from kundebase.core import spreadsheet

    settings.KUNDEBASE_DATA_DIR = tmp_path / "data"
    book = Workbook()
    sheet = book.active
    for values in [headers, *rows]:
        sheet.append([spreadsheet.xlsx_value(_expand(v))[0] for v in values])
    out = io.BytesIO()
    book.save(out)
    _outcome(tmp_path, "file.xlsx", out.getvalue())


json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), cell),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.one_of(st.sampled_from(KNOWN), st.text(max_size=8)), children,
                                               max_size=4)),
    max_leaves=12)


@BOUNDED
@given(lines=st.lists(st.one_of(json_value.map(lambda v: json.dumps(_expand(v))), st.text(max_size=40),
                                st.integers(min_value=40, max_value=3000).map(lambda n: '{"a": ' * n + "1"
                                                                               + "}" * n)),
                      max_size=8))
def test_random_json_lines(tmp_path: Path, settings: Any, lines: list[str]) -> None:
    settings.KUNDEBASE_DATA_DIR = tmp_path / "data"
    _outcome(tmp_path, "file.jsonl", ("\n".join(lines) + "\n").encode("utf-8", errors="replace"))
